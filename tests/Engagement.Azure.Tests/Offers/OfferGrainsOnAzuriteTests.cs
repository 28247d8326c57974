using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using OffersOptions = Engagement.Domain.Offers.OffersOptions;
using RewardStock = Engagement.Domain.Offers.RewardStock;
using StockConfirmStatus = Engagement.Domain.Offers.StockConfirmStatus;
using StockTakeStatus = Engagement.Domain.Offers.StockTakeStatus;

namespace Engagement.Azure.Tests.Offers;

/// <summary>
/// The stock counter, the coupon directory and a member's coupons on the engine's own Azure storage registration: what a
/// silo answered is what a new silo on the same tables reads back.
/// </summary>
public sealed class OfferGrainsOnAzuriteTests : IAsyncLifetime
{
    private readonly string _table = StorageClients.TableName("offers");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 4, 0, 0, TimeSpan.Zero));

    /// <summary>The offers' grain state in <c>_table</c>; reminders, ledger, metrics and touches beside it, deleted with it.</summary>
    private SiloStorage Storage => new()
    {
        GrainStateTable = _table, ReminderTable = _table + "rem", LedgerTable = _table + "ledger", MetricsTable = _table + "metrics", TouchQueue = "touches-" + _table,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Storage.DeleteAsync();

    private Task<IHost> StartSiloAsync()
    {
        var settings = Storage.Settings();
        settings["Engagement:Offers:CouponSecret"] = "azure-offer-tests-secret-0123456789";
        return AzuriteSilo.StartAsync(settings, "offers-" + _table, (silo, configuration) =>
        {
            silo.AddEngagementGrains(configuration);
            silo.AddEngagementOffers(configuration);
            silo.AddEngagementAzureStorage(configuration);
            silo.AddEngagementInMemoryPorts();
        }, _clock);
    }

    private static Task StopAsync(IHost host) => AzuriteSilo.StopAsync(host);

    [Fact]
    public async Task FiftyConcurrentTakesOfTenUnitsTakeExactlyTenAndANewSiloReadsTheSameStock()
    {
        var key = OfferIds.StockKey("R-1", "S-1");
        var first = await StartSiloAsync();
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IRewardStockGrain>(key).SetAvailableAsync(10);

        var takes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => grains.GetGrain<IRewardStockGrain>(key).TakeAsync("red-" + i, "M" + i)));
        var winners = takes.Select((t, i) => (t, i)).Where(x => x.t.Status == StockTakeResult.Taken).Select(x => "red-" + x.i).ToList();
        await grains.GetGrain<IRewardStockGrain>(key).ConfirmAsync(winners[0]);
        await grains.GetGrain<IRewardStockGrain>(key).ReleaseAsync(winners[1]);
        await StopAsync(first);

        Assert.Equal(10, winners.Count);
        Assert.Equal(40, takes.Count(t => t.Status == StockTakeResult.OutOfStock));

        var second = await StartSiloAsync();
        try
        {
            var stock = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IRewardStockGrain>(key);
            var view = await stock.GetAsync();
            // The same redemption ids of the same members (red-i was member Mi's).
            var replay = await stock.TakeAsync(winners[2], "M" + winners[2]["red-".Length..]);
            var released = await stock.TakeAsync(winners[1], "M" + winners[1]["red-".Length..]);
            var otherMember = await stock.TakeAsync(winners[2], "M-other");

            Assert.Equal((1L, 8L, 1L), (view.Available, view.Held, view.Redeemed));
            Assert.Equal(StockTakeResult.Replayed, replay.Status);
            Assert.Equal(StockTakeResult.ReleasedBefore, released.Status);
            Assert.Equal(StockTakeResult.OtherMember, otherMember.Status);
            Assert.Equal(("R-1", "S-1"), (view.RewardId, view.StoreId));
        }
        finally
        {
            await StopAsync(second);
        }
    }

    /// <summary>How many of the 3,000 redemptions the grain itself takes and confirms, each with its own write.</summary>
    private const int RedemptionsThroughTheGrain = 100;

    [Fact]
    public async Task ThreeThousandRedemptionsWithRealisticIdsStillFitTheGrainStateAndAForgottenIdTakesNoSecondUnit()
    {
        var key = OfferIds.StockKey("R-GIFT", "S001");
        var host = await StartSiloAsync();
        try
        {
            static string Id(int i) => $"pos-S001-20261123-{i:000000}";
            static string Member(int i) => $"M{i % 997:000000}";
            var stock = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IRewardStockGrain>(key);

            // The first 2,900 through the grain's own domain rules (RewardStock.Take/ConfirmHold with the silo's kept
            // count, as the grain calls them) and stored once through the silo's own grain-state storage and its size
            // bound, before the grain is activated: 5,800 writes of one row took ~3 minutes on a loaded machine.
            var kept = host.Services.GetRequiredService<IOptions<OffersOptions>>().Value.StockRedemptionsKept;
            var now = _clock.GetUtcNow();
            var seeded = new RewardStock().SetAvailable(5_000, now);
            for (var i = 0; i < 3_000 - RedemptionsThroughTheGrain; i++)
            {
                var (taken, takeStatus) = seeded.Take(Id(i), Member(i), now, kept);
                var (confirmed, confirmStatus) = taken.ConfirmHold(Id(i), now);
                Assert.Equal((StockTakeStatus.Taken, StockConfirmStatus.Confirmed), (takeStatus, confirmStatus));
                seeded = confirmed;
            }

            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
            await storage.WriteStateAsync("reward-stock", stock.GetGrainId(), new GrainState<OfferState<RewardStock>>(new OfferState<RewardStock> { Value = seeded }));

            // The last 100 through the grain, which reads the stored row on activation and writes it on every take and
            // confirm, the last ones with the whole bounded history of 3,000 redemptions.
            for (var i = 3_000 - RedemptionsThroughTheGrain; i < 3_000; i++)
            {
                Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync(Id(i), Member(i))).Status);
                Assert.Equal(StockConfirmResult.Confirmed, (await stock.ConfirmAsync(Id(i))).Status);
            }

            // Before the bound, every write past ~2,200 redemptions failed with GrainStateTooLargeException.
            var set = await stock.SetAvailableAsync(100);
            var oldRetry = await stock.TakeAsync(Id(0), Member(0));
            var recentRetry = await stock.TakeAsync(Id(2_999), Member(2_999));
            var view = await stock.GetAsync();

            Assert.Equal((100L, 0L, 3_000L), (set.Available, set.Held, set.Redeemed));
            Assert.Equal("forgotten", oldRetry.Status); // StockTakeResult.Forgotten
            Assert.Equal(StockTakeResult.Replayed, recentRetry.Status);
            Assert.Equal(100L, view.Available);
        }
        finally
        {
            await StopAsync(host);
        }
    }

    [Fact]
    public async Task AnIssuedCouponIsFoundByItsCodeAfterARestartAndARetriedGrantIssuesNothingNew()
    {
        var grant = new CouponGrant { GrantId = "winback:L1:2026-11-23", OfferId = "winback.l1", Kind = "no_threshold", Value = 20m, ValidDays = 14 };
        var first = await StartSiloAsync();
        var firstGrains = first.Services.GetRequiredService<IGrainFactory>();
        await firstGrains.GetGrain<IMemberGrain>("M-A").ApplyEventAsync(new EngagementEvent { EventId = "reg", Type = "register", MemberId = "M-A", OccurredAt = _clock.GetUtcNow() });
        var issued = await firstGrains.GetGrain<ICouponHolder>("M-A").IssueCouponAsync(grant);
        await StopAsync(first);

        var second = await StartSiloAsync();
        try
        {
            var grains = second.Services.GetRequiredService<IGrainFactory>();
            var code = issued.Coupon!.Code;
            var holder = await grains.GetGrain<ICouponDirectoryGrain>(code).FindMemberAsync();
            var retried = await grains.GetGrain<ICouponHolder>("M-A").IssueCouponAsync(grant);
            var coupons = await grains.GetGrain<ICouponHolder>("M-A").GetCouponsAsync();

            Assert.Equal(CouponIssueResult.Issued, issued.Status);
            Assert.Equal("M-A", holder);
            Assert.Equal((CouponIssueResult.Duplicate, code), (retried.Status, retried.Coupon!.Code));
            Assert.Equal(code, Assert.Single(coupons).Code);

            _clock.SetUtcNow(issued.Coupon.ValidUntil);
            var expired = await grains.GetGrain<ICouponHolder>("M-A").RedeemCouponAsync(code, new CouponRedeemRequest { RedemptionId = "r1", StoreId = "S1", OrderAmount = 50m });
            Assert.Equal("expired", expired.Reason);
            Assert.Equal("expired", (await grains.GetGrain<ICouponHolder>("M-A").GetCouponAsync(code))!.Status);
        }
        finally
        {
            await StopAsync(second);
        }
    }
}
