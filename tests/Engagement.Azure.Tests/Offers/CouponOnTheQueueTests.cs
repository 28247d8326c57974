using System.Globalization;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;

namespace Engagement.Azure.Tests.Offers;

/// <summary>
/// A POS's purchase on an Azure Storage queue naming a coupon code (CONTRACT.md §1 <c>coupons</c>): the real member grain
/// marks the coupon redeemed by that order, once, even when the message is sent twice. (The engine clock of this cluster
/// stands still: the purchase is dated at the instant the coupon was issued, when it is valid.)
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class CouponOnTheQueueTests(MemberQueueCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task APurchaseOnTheQueueCarryingACodeRedeemsThatCouponByItsOrderOnce()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        await queue.SendMessageAsync(Wire.Login(memberId, "login-" + memberId));
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(() => member.GetViewAsync(), v => v is not null, Deadline, "the member seen");

        var issued = await member.IssueCouponAsync(new CouponGrant { GrantId = "winback:L1:q", OfferId = "winback-l1", Kind = "no_threshold", Value = 20m, ValidDays = 14 });
        var code = issued.Coupon!.Code;
        var body = string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "p-{{memberId}}", "type": "purchase", "memberId": "{{memberId}}", "occurredAt": "{{Wire.Now:O}}",
             "storeId": "S001", "regionId": "east", "orderId": "O-77", "amount": 99.00, "coupons": ["{{code[..4]}}-{{code[4..8]}}-{{code[8..12]}}-{{code[12..]}}"]}
            """);
        await queue.SendMessageAsync(body);
        await queue.SendMessageAsync(body);

        var coupon = await Eventually.ReturnsAsync(() => member.GetCouponAsync(code), c => c?.Status == "redeemed", Deadline, "the coupon redeemed by the purchase");
        Assert.Equal(("O-77", "S001"), (coupon!.OrderId, coupon.StoreId));
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "both messages deleted");
        var touches = await member.GetTouchesAsync(50);
        Assert.Single(touches, t => t.Kind == "redemption_confirmation" && t.CouponCode == code);
        Assert.Equal(99, (await member.GetViewAsync())!.PointsBalance / 2);
    }
}
