using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
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
/// The win-back L1 gift and the birthday coupon, when tied to skus, are issued only where the member's home store or a
/// store of the member's region has one in stock; otherwise the touch still goes, without a coupon, and none is in the book.
/// </summary>
[Collection(GoodsTiedTouchCouponCollection.Name)]
public sealed class GoodsTiedTouchCouponTests(GoodsTiedTouchCouponFixture cluster)
{
    [Fact]
    public async Task TheWinBackGiftRidesOnTheL1TouchOnlyWhereAStoreOfTheRegionHasTheGoods()
    {
        var (stocked, bare) = await TwoMembersAsync(GoodsTiedTouchCouponFixture.GiftSku);

        for (var day = 1; day <= 30; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(stocked);
            await TickAsync(bare);
        }

        await AssertTouchCouponAsync(stocked, bare, "winback.l1", "winback:L1:");
    }

    [Fact]
    public async Task TheBirthdayCouponRidesOnTheBirthdayTouchOnlyWhereAStoreOfTheRegionHasTheGoods()
    {
        var (stocked, bare) = await TwoMembersAsync(GoodsTiedTouchCouponFixture.CakeSku, birthday: true);

        // The birthday is today (member's local date); the caps may hold its touch a day or two, within the window.
        for (var day = 0; day < 5 && (!Sent(stocked, "birthday.benefit") || !Sent(bare, "birthday.benefit")); day++)
        {
            await TickAsync(stocked);
            await TickAsync(bare);
            cluster.Time.Advance(TimeSpan.FromDays(1));
        }

        await AssertTouchCouponAsync(stocked, bare, "birthday.benefit", "birthday:");
    }

    /// <summary>
    /// Two V2 members (1,200 CNY bought, so they hold the birthday benefit) at home stores with none of
    /// <paramref name="sku"/>: in the first's region another store has it, in the second's region none has.
    /// </summary>
    private async Task<(string Stocked, string Bare)> TwoMembersAsync(string sku, bool birthday = false)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (north, south) = ("north-" + id, "south-" + id);
        var stores = cluster.Client;
        await stores.GetGrain<IStoreInventoryGrain>("NH" + id).PutAsync([new(sku, 0)], north);
        await stores.GetGrain<IStoreInventoryGrain>("NO" + id).PutAsync([new(sku, 3)], north);
        await stores.GetGrain<IStoreInventoryGrain>("SH" + id).PutAsync([new(sku, 0)], south);
        var (stocked, bare) = ("GS" + id, "GB" + id);
        var now = cluster.Time.GetUtcNow();
        foreach (var (member, region, store) in new[] { (stocked, north, "NH" + id), (bare, south, "SH" + id) })
        {
            var grain = cluster.Client.GetGrain<IMemberGrain>(member);
            await grain.ApplyEventAsync(Events.Purchase(member, "O1", 1_200m, now.AddMinutes(-2)) with { RegionId = region, StoreId = store });
            if (birthday)
            {
                var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
                await grain.ApplyEventAsync(Events.Of(EventTypes.ProfileUpdate, member, now.AddMinutes(-1), properties: new Dictionary<string, string>
                {
                    ["birthday"] = new DateOnly(1990, today.Month, today.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                }));
            }
        }

        return (stocked, bare);
    }

    private async Task AssertTouchCouponAsync(string stocked, string bare, string kind, string grantPrefix)
    {
        var withCoupon = Assert.Single(cluster.Outbox.Sent, t => t.MemberId == stocked && t.Kind == kind);
        Assert.NotNull(withCoupon.CouponCode);
        var coupon = Assert.Single(await cluster.Client.GetGrain<ICouponHolder>(stocked).GetCouponsAsync());
        Assert.Equal(withCoupon.CouponCode, coupon.Code);
        Assert.Equal("issued", coupon.Status);
        Assert.StartsWith("issued by grant " + grantPrefix, coupon.StatusReason, StringComparison.Ordinal);

        var without = Assert.Single(cluster.Outbox.Sent, t => t.MemberId == bare && t.Kind == kind);
        Assert.Null(without.CouponCode);
        Assert.Empty(await cluster.Client.GetGrain<ICouponHolder>(bare).GetCouponsAsync());
        var timeline = await cluster.Client.GetGrain<IMemberGrain>(bare).GetTouchesAsync(50);
        Assert.Equal("sent", Assert.Single(timeline, t => t.Kind == kind).Decision);
    }

    private bool Sent(string memberId, string kind) => cluster.Outbox.Sent.Any(t => t.MemberId == memberId && t.Kind == kind);

    private Task TickAsync(string memberId)
    {
        var now = cluster.Time.GetUtcNow().UtcDateTime;
        return cluster.Client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }
}
