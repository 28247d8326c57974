using Engagement.Azure.Tests.Programme;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Contracts.Touches;
using Engagement.Grains.Members;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Azure.Tests.Offers;

/// <summary>
/// A win-back L1 gift tied to skus on the engine's Azure storage (grain state and reminder table on Azurite; the engine
/// clock pinned): held for stock, the member's lifecycle reminder row is moved to the retry 6 hours on, and the tick that
/// reminder brings sends the touch with its coupon once a store near the member has the goods (docs/offers.md "Store
/// inventory"). As the other reminder tests here, the test delivers the tick itself (the reminder service runs on real
/// time) and checks the row the reminder service would fire from.
/// </summary>
public sealed class GoodsTiedTouchOnAzuriteTests
{
    private const string Sku = "SKU-GIFT";

    [Fact]
    public async Task AHeldGiftMovesTheReminderRowSixHoursOnAndGoesWithItsCouponOnThatTickOnceStocked()
    {
        await using var silo = new ProgrammeSilo { CouponSecret = "goods-tied-azurite-secret-0123456789" };
        await silo.StartAsync(new Dictionary<string, string?> { ["Engagement:Offers:WinBackGift:Scope:Skus:0"] = Sku });
        var id = "gta-" + Guid.NewGuid().ToString("N")[..8];
        var (store, region) = ("S" + id, "r" + id[4..]);
        var member = silo.Grains.GetGrain<IMemberGrain>(id);
        await silo.Grains.GetGrain<IStoreInventoryGrain>(store).PutAsync([new InventoryLine(Sku, 0)], region);
        var bought = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = silo.Clock.GetUtcNow().AddMinutes(-2),
            RegionId = region, StoreId = store, OrderId = "O1", Amount = 1_200m,
        });
        Assert.Equal(ApplyStatus.Applied, bought.Status);

        TouchView? held = null;
        var realBefore = DateTime.UtcNow;
        for (var day = 0; day < 45 && held is null; day++)
        {
            silo.Clock.Advance(TimeSpan.FromDays(1));
            realBefore = DateTime.UtcNow;
            await TickAsync(silo, member);
            held = (await member.GetTouchesAsync(50)).FirstOrDefault(t => t.Kind == "winback.l1");
        }

        var realAfter = DateTime.UtcNow;
        Assert.NotNull(held);
        Assert.Equal("deferred", held.Decision);
        Assert.Equal(silo.Clock.GetUtcNow().AddHours(6), held.NotBefore);

        // The reminder row on Azurite: the next fire is 6 hours (real, at engine speed 1) after the tick.
        var row = await silo.Services.GetRequiredService<IReminderTable>().ReadRow(member.GetGrainId(), MemberGrain.LifecycleReminder);
        Assert.NotNull(row);
        Assert.InRange(row.StartAt, realBefore.AddHours(6).AddSeconds(-1), realAfter.AddHours(6).AddSeconds(1));

        // Stock arrives; the reminder's tick 6 hours on sends the gift with its coupon.
        await silo.Grains.GetGrain<IStoreInventoryGrain>(store).PutAsync([new InventoryLine(Sku, 2)], region);
        silo.Clock.Advance(TimeSpan.FromHours(6));
        await TickAsync(silo, member);

        var sent = Assert.Single(await member.GetTouchesAsync(50), t => t.Kind == "winback.l1" && t.Decision == "sent");
        Assert.NotNull(sent.CouponCode);
        var coupon = Assert.Single(await member.GetCouponsAsync());
        Assert.Equal((sent.CouponCode, "issued"), (coupon.Code, coupon.Status));
    }

    private static Task TickAsync(ProgrammeSilo silo, IMemberGrain member)
    {
        var now = silo.Clock.GetUtcNow().UtcDateTime;
        return member.AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }
}
