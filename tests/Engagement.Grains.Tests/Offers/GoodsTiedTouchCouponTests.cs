using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Contracts.Touches;
using Engagement.Domain.Offers;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Campaigns;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Offers;

/// <summary>
/// The campaign cluster with a win-back L1 gift and a birthday coupon tied to goods (<see cref="GiftSku"/>,
/// <see cref="CakeSku"/>): docs/offers.md "Store inventory".
/// </summary>
public sealed class GoodsTiedTouchCouponFixture : CampaignClusterFixture
{
    public const string GiftSku = "SKU-GIFT";

    public const string CakeSku = "SKU-CAKE";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Engagement:Offers:WinBackGift:Scope:Skus:0", GiftSku),
        new("Engagement:Offers:BirthdayCoupon:Scope:Skus:0", CakeSku),
    ];
}

/// <summary>Tests on <see cref="GoodsTiedTouchCouponFixture"/>; not parallel with other collections, as the campaign cluster.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GoodsTiedTouchCouponCollection : ICollectionFixture<GoodsTiedTouchCouponFixture>
{
    public const string Name = "campaign cluster, goods-tied touch coupons";
}

/// <summary>
/// The win-back L1 gift tied to skus goes out only with its coupon, once a store near the member has the goods: until
/// then its touch waits in its window (held, retried every <c>StockRetryHours</c>, 6), and a stock grain that fails holds
/// only that touch, never the rest of the tick.
/// </summary>
[Collection(GoodsTiedTouchCouponCollection.Name)]
public sealed class GoodsTiedTouchCouponTests(GoodsTiedTouchCouponFixture cluster)
{
    private const string L1 = "winback.l1";

    [Fact]
    public async Task AnL1GiftWithNoStockNearIsHeldThenIssuedOnALaterTickOnceInventoryArrives()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, region) = ("GH" + id, "north-" + id);
        await cluster.Client.GetGrain<IStoreInventoryGrain>("NH" + id).PutAsync([new(GoodsTiedTouchCouponFixture.GiftSku, 0)], region);
        await BuyAsync(member, "NH" + id, region);
        var heldBefore = MemberMetrics.TouchesHeldForStock;

        var held = await TickUntilL1DecidedAsync(member);

        Assert.Equal("deferred", held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": none of the coupon's 1 sku(s) is in stock near the member (home store NH" + id, held.Reason, StringComparison.Ordinal);
        Assert.Equal(cluster.Time.GetUtcNow().AddHours(6), held.NotBefore);
        Assert.Equal(held.NotBefore, cluster.Faults.Stored<MemberGrainState>(member)!.NextReminderAt); // the retry wakes the member, stored
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == L1);
        Assert.Empty(await cluster.Client.GetGrain<ICouponHolder>(member).GetCouponsAsync());
        Assert.True(MemberMetrics.TouchesHeldForStock > heldBefore);

        // Another store of the region gets the goods; the retry six hours on finds them.
        await cluster.Client.GetGrain<IStoreInventoryGrain>("NO" + id).PutAsync([new(GoodsTiedTouchCouponFixture.GiftSku, 3)], region);
        await RetryUntilSentAsync(member);

        await AssertSentWithCouponAsync(member);
    }

    [Fact]
    public async Task AStockGrainThatFailsHoldsOnlyTheGiftTouchAndTheRestOfTheTickIsStored()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, region, store) = ("GF" + id, "south-" + id, "FX" + id);
        await BuyAsync(member, store, region);
        cluster.Faults.Fail(store, StorageFault.Read); // the home store's inventory grain cannot activate

        var held = await TickUntilL1DecidedAsync(member);

        Assert.Equal("deferred", held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": the stock look-up did not answer", held.Reason, StringComparison.Ordinal);
        Assert.True(cluster.Faults.FailuresOf(store) > 0);
        var stored = cluster.Faults.Stored<MemberGrainState>(member)!.Member;
        Assert.Equal(1, stored.Lifecycle.WinBackLevel); // the tick's own change (the episode entering L1) is stored
        Assert.Contains(stored.Touches.Decisions, d => d.Kind == L1 && d.Decision == "deferred" && d.Reason.StartsWith(GoodsTiedCoupons.HeldForStock, StringComparison.Ordinal));
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == L1);

        cluster.Faults.Heal(store);
        await cluster.Client.GetGrain<IStoreInventoryGrain>(store).PutAsync([new(GoodsTiedTouchCouponFixture.GiftSku, 1)], region);
        await RetryUntilSentAsync(member);

        await AssertSentWithCouponAsync(member);
    }

    [Fact]
    public async Task AStockLookUpCancelledByNobodyOfOursHoldsOnlyTheGiftTouchAndTheTickIsStored()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, region, store) = ("GC" + id, "south-" + id, "CX" + id);
        await BuyAsync(member, store, region);

        // A storage timeout in the stock grain reaches the member as a TaskCanceledException nobody of ours asked for.
        cluster.StockCalls.Throw(store, what => new TaskCanceledException(what));

        var held = await TickUntilL1DecidedAsync(member);

        Assert.Equal("deferred", held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": the stock look-up did not answer", held.Reason, StringComparison.Ordinal);
        var stored = cluster.Faults.Stored<MemberGrainState>(member)!.Member;
        Assert.Equal(1, stored.Lifecycle.WinBackLevel);
        Assert.Contains(stored.Touches.Decisions, d => d.Kind == L1 && d.Decision == "deferred");
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == L1);
        cluster.StockCalls.Heal(store);
    }

    [Fact]
    public async Task AStockLookUpThatNeverAnswersTimesOutOnTheEngineClockAndHoldsTheGiftTouch()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, region, store) = ("GT" + id, "hang-" + id, "HX" + id);
        await BuyAsync(member, store, region);

        // Up to the day before L1: nothing is looked up yet.
        for (var day = 0; day < 29; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(member);
        }

        var entered = cluster.StockCalls.Hang(store);
        try
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            var tick = TickAsync(member);
            await entered.WaitAsync(TimeSpan.FromSeconds(30));

            // The 5 s look-up timeout runs on the engine's clock, no real 5 s passing: 4.9 s on, the tick still waits;
            // 0.1 s more ends the wait.
            cluster.Time.Advance(TimeSpan.FromSeconds(4.9));
            Assert.False(await CompletesWithinAsync(tick, TimeSpan.FromMilliseconds(500)), "the stock look-up timed out before the engine clock passed 5 s");
            cluster.Time.Advance(TimeSpan.FromSeconds(0.1));
            Assert.True(await CompletesWithinAsync(tick, TimeSpan.FromSeconds(10)), "the tick still waits for the stock look-up after the engine clock passed 5 s");
            await tick;
        }
        finally
        {
            cluster.StockCalls.Heal(store);
        }

        var held = Assert.Single(await cluster.Client.GetGrain<IMemberGrain>(member).GetTouchesAsync(50), t => t.Kind == L1);
        Assert.Equal("deferred", held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": the stock look-up did not answer", held.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == L1);
    }

    [Fact]
    public async Task ABirthdayCouponWithNoStockNearIsHeldNotLostThenIssuedWhenTheCakeArrives()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, region) = ("GB" + id, "west-" + id);
        await cluster.Client.GetGrain<IStoreInventoryGrain>("WH" + id).PutAsync([new(GoodsTiedTouchCouponFixture.CakeSku, 0)], region);
        await BuyAsync(member, "WH" + id, region); // 1,200 CNY: V2, which holds the birthday benefit
        var now = cluster.Time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        await cluster.Client.GetGrain<IMemberGrain>(member).ApplyEventAsync(Events.Of(EventTypes.ProfileUpdate, member, now.AddMinutes(-1), properties: new Dictionary<string, string>
        {
            ["birthday"] = new DateOnly(1990, today.Month, today.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        }));

        await TickAsync(member);

        var held = Assert.Single(await cluster.Client.GetGrain<IMemberGrain>(member).GetTouchesAsync(50), t => t.Kind == "birthday.benefit");
        Assert.Equal("deferred", held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": none of the coupon's 1 sku(s)", held.Reason, StringComparison.Ordinal);
        Assert.Equal(held.NotBefore, cluster.Faults.Stored<MemberGrainState>(member)!.NextReminderAt);
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == "birthday.benefit");
        Assert.Empty(await cluster.Client.GetGrain<ICouponHolder>(member).GetCouponsAsync());

        await cluster.Client.GetGrain<IStoreInventoryGrain>("WH" + id).PutAsync([new(GoodsTiedTouchCouponFixture.CakeSku, 2)], region);
        for (var step = 0; step < 8 && !cluster.Outbox.Sent.Any(t => t.MemberId == member && t.Kind == "birthday.benefit"); step++)
        {
            cluster.Time.Advance(TimeSpan.FromHours(6));
            await TickAsync(member);
        }

        var sent = Assert.Single(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == "birthday.benefit");
        var coupon = Assert.Single(await cluster.Client.GetGrain<ICouponHolder>(member).GetCouponsAsync());
        Assert.Equal((sent.CouponCode, "issued"), (coupon.Code, coupon.Status));
        Assert.StartsWith("issued by grant birthday:", coupon.StatusReason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether <paramref name="task"/> completes (ran to completion or not) within <paramref name="within"/> of real time;
    /// its fault, if any, is left for the caller's await.
    /// </summary>
    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan within)
    {
        try
        {
            await Task.WhenAny(task).WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task BuyAsync(string member, string store, string region)
    {
        var now = cluster.Time.GetUtcNow();
        await cluster.Client.GetGrain<IMemberGrain>(member).ApplyEventAsync(
            Events.Purchase(member, "O1", 1_200m, now.AddMinutes(-2)) with { RegionId = region, StoreId = store });
    }

    /// <summary>Ticks the member once a day until its L1 touch is decided (the episode reaches L1 after 30 quiet days).</summary>
    private async Task<TouchView> TickUntilL1DecidedAsync(string member)
    {
        for (var day = 0; day < 45; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(member);
            if ((await cluster.Client.GetGrain<IMemberGrain>(member).GetTouchesAsync(50)).FirstOrDefault(t => t.Kind == L1) is { } l1)
            {
                return l1;
            }
        }

        throw new Xunit.Sdk.XunitException("the L1 touch was never decided");
    }

    /// <summary>Ticks every 6 hours (the retry cadence) until the L1 touch is sent, at most two days.</summary>
    private async Task RetryUntilSentAsync(string member)
    {
        for (var step = 0; step < 8 && !cluster.Outbox.Sent.Any(t => t.MemberId == member && t.Kind == L1); step++)
        {
            cluster.Time.Advance(TimeSpan.FromHours(6));
            await TickAsync(member);
        }
    }

    private async Task AssertSentWithCouponAsync(string member)
    {
        var sent = Assert.Single(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == L1);
        Assert.NotNull(sent.CouponCode);
        var coupon = Assert.Single(await cluster.Client.GetGrain<ICouponHolder>(member).GetCouponsAsync());
        Assert.Equal(sent.CouponCode, coupon.Code);
        Assert.Equal("issued", coupon.Status);
        Assert.StartsWith("issued by grant winback:L1:", coupon.StatusReason, StringComparison.Ordinal);
    }

    private Task TickAsync(string memberId)
    {
        var now = cluster.Time.GetUtcNow().UtcDateTime;
        return cluster.Client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }
}

/// <summary>On the default campaign cluster, whose gift and birthday coupon name no skus, the tick looks no stock up.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class SkuLessTouchCouponTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task AnL1GiftWithoutSkusGoesWithItsCouponAndNoStockLookUp()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // its day and 6-hour steps land outside quiet hours, whatever hour the tests before left
        var member = "GP" + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var grain = cluster.Client.GetGrain<IMemberGrain>(member);
        await grain.ApplyEventAsync(Events.Purchase(member, "O1", 1_200m, now.AddMinutes(-2)) with { RegionId = "east", StoreId = "S-none" });
        var lookUps = MemberMetrics.TouchStockLookUps;

        for (var day = 0; day < 45 && !cluster.Outbox.Sent.Any(t => t.MemberId == member && t.Kind == "winback.l1"); day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            var at = cluster.Time.GetUtcNow().UtcDateTime;
            await grain.AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(at, TimeSpan.FromDays(1), at));
        }

        Assert.NotNull(Assert.Single(cluster.Outbox.Sent, t => t.MemberId == member && t.Kind == "winback.l1").CouponCode);
        Assert.Equal(lookUps, MemberMetrics.TouchStockLookUps);
    }
}
