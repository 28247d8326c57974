using System.Text.Json;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>
/// A member's attributed orders stay bounded over all its memberships (<see cref="CampaignMemberships.PruneOrders"/>):
/// those refunded in full and those the member forgot go first, losslessly, then the oldest over the cap.
/// </summary>
public sealed class AttributedOrderBoundTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset At = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Ten arm memberships, all assigned at <see cref="At"/>; membership <c>c{i}</c>'s window ends after 90 − i days (c9 first).</summary>
    private static CampaignMemberState TenArms()
    {
        var state = new CampaignMemberState();
        for (var i = 0; i < 10; i++)
        {
            state.Memberships.Add(new CampaignMembership { CampaignId = $"c{i}", Group = "arm", Arm = "main", AssignedAt = At, AttributionWindowDays = 90 - i, ValidUntil = At.AddDays(100) });
        }

        return state;
    }

    [Fact]
    public void OverTheCapTheFirstOrdersOfTheMembershipWhoseWindowEndsFirstAreDroppedAndTheirRefundsNoLongerReduceRevenue()
    {
        // Each purchase counts in all ten windows: 100 purchases attribute 1,000 orders, the 101st one more each (1,010).
        var state = TenArms();
        for (var i = 0; i <= 100; i++)
        {
            Assert.Equal(10, CampaignMemberships.AttributePurchase(state, $"e-{i}", 100m, At.AddHours(i), $"O-{i}").Count);
        }

        Assert.Equal((10, 10), CampaignMemberships.PruneOrders(state, _ => true, maxTotal: 1_000));
        Assert.Equal(1_000, state.Memberships.Sum(m => m.Orders!.Count));

        // c9's window ends first: its ten oldest go (O-0 … O-9), every other membership keeps all 101.
        var c9 = state.Memberships[9];
        Assert.Equal(Enumerable.Range(10, 91).Select(i => $"O-{i}"), c9.Orders!.Select(o => o.OrderId));
        Assert.All(state.Memberships.Take(9), m => Assert.Equal(101, m.Orders!.Count));
        state.Memberships.ForEach(m => m.PendingPurchases.Clear());

        // A refund of O-0 takes back from the nine that kept it, none from c9; of O-10, from all ten.
        Assert.Equal(9, CampaignMemberships.AttributeRefund(state, "r-0", "O-0", 40m).Count);
        Assert.Empty(c9.PendingPurchases);
        Assert.Equal(101 * 100m, c9.Revenue);
        Assert.Equal(10, CampaignMemberships.AttributeRefund(state, "r-10", "O-10", 40m).Count);
        Assert.Equal([-40m], c9.PendingPurchases.Select(p => p.Amount));
        Assert.Equal((101 * 100m) - 40m, c9.Revenue);

        // Within the cap, a prune drops nothing.
        Assert.Equal((0, 0), CampaignMemberships.PruneOrders(state, _ => true, maxTotal: 1_000));
    }

    [Fact]
    public void OneAttributionOverTheCapDropsExactlyTheOldestOne()
    {
        var state = TenArms();
        for (var i = 0; i < 100; i++)
        {
            CampaignMemberships.AttributePurchase(state, $"e-{i}", 100m, At.AddHours(i), $"O-{i}");
        }

        Assert.Equal((0, 0), CampaignMemberships.PruneOrders(state, _ => true, maxTotal: 1_000));

        // The 1,001st: a purchase inside c0's window only (c0's is the longest, 90 days).
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e-late", 100m, At.AddDays(89.5), "O-late"));
        Assert.Equal((1, 1), CampaignMemberships.PruneOrders(state, _ => true, maxTotal: 1_000));
        Assert.Equal(1_000, state.Memberships.Sum(m => m.Orders!.Count));
        Assert.Equal("O-1", state.Memberships[9].Orders![0].OrderId);
        Assert.Equal("O-late", state.Memberships[0].Orders![^1].OrderId);
    }

    [Fact]
    public void OrdersRefundedInFullOrForgottenByTheMemberAreDroppedWithoutTouchingTheCap()
    {
        var state = TenArms();
        state.Memberships.RemoveRange(1, 9);
        CampaignMemberships.AttributePurchase(state, "e-a", 100m, At.AddHours(1), "A");
        CampaignMemberships.AttributePurchase(state, "e-b", 100m, At.AddHours(2), "B");
        CampaignMemberships.AttributePurchase(state, "e-c", 100m, At.AddHours(3), "C");
        CampaignMemberships.AttributeRefund(state, "r-a", "A", 100m);
        CampaignMemberships.AttributeRefund(state, "r-b", "B", 99.99m);

        // A refunded in full, C forgotten; B (0.01 left) stays. Nothing over the cap.
        Assert.Equal((2, 0), CampaignMemberships.PruneOrders(state, id => id != "C", maxTotal: 1_000));
        Assert.Equal(["B"], state.Memberships[0].Orders!.Select(o => o.OrderId));

        // The last one gone, the membership stores none.
        Assert.Equal((1, 0), CampaignMemberships.PruneOrders(state, _ => false, maxTotal: 1_000));
        Assert.Null(state.Memberships[0].Orders);
        Assert.DoesNotContain("\"orders\"", JsonSerializer.Serialize(state, Web), StringComparison.Ordinal);
    }

    [Fact]
    public void AnOrderTheMemberForgotIsPrunedFromAttributionAndItsRefundCouldNotHaveReachedIt()
    {
        // One order kept in full, none summarised: a second spent order pushes the first out of the book.
        var member = new TestMember(TestMember.Shanghai(2026, 11, 23, 10));
        member.Options.MaxOrders = 1;
        member.Options.MaxOrderSummaries = 0;
        member.State.Campaigns = TenArms();
        member.State.Campaigns.Memberships.RemoveRange(1, 9);
        member.State.Campaigns.Memberships[0].AssignedAt = member.Now.AddDays(-1);
        var longId = "订" + new string('单', 127);

        Assert.Equal(EventStatus.Applied, member.Purchase(longId, 500m).Status);
        CampaignMemberships.AttributePurchase(member.State.Campaigns, "e-1", 500m, member.Now, longId);
        Assert.Equal((0, 0), CampaignMemberships.PruneAttributedOrders(member.State, maxTotal: 1_000));
        Assert.Equal(OrderIds.Key(longId), Assert.Single(member.State.Campaigns.Memberships[0].Orders!).OrderId);

        member.Redeem("R-1", member.Balance);
        member.Now = member.Now.AddHours(1);
        Assert.Equal(EventStatus.Applied, member.Purchase("O-2", 100m).Status);
        CampaignMemberships.AttributePurchase(member.State.Campaigns, "e-2", 100m, member.Now, "O-2");
        Assert.False(OrderBook.IsKept(member.State, longId));

        // The grain reaches AttributeRefund only when the book has a refunded amount, which a forgotten order never has.
        Assert.Equal(0m, OrderBook.RefundedOf(member.State, longId));
        Assert.Equal((1, 0), CampaignMemberships.PruneAttributedOrders(member.State, maxTotal: 1_000));
        Assert.Equal(["O-2"], member.State.Campaigns.Memberships[0].Orders!.Select(o => o.OrderId));
    }

    [Fact]
    public void AStoredAttributedOrderWithANullIdLoadsAsEmptyAndIsPruned()
    {
        const string Stored = """
            {"memberships":[{"campaignId":"c1","group":"arm","arm":"main","outcome":"sent","reportedOutcome":"sent","touchId":null,
            "assignedAt":"2026-11-23T02:00:00+00:00","attributionWindowDays":7,"validUntil":"2026-11-26T02:00:00+00:00","converted":true,
            "revenue":400,"orders":[{"orderId":null,"amount":300,"refunded":0},{"orderId":"O-1","amount":100,"refunded":0}],"pendingPurchases":[]}]}
            """;

        var state = JsonSerializer.Deserialize<CampaignMemberState>(Stored, Web)!;
        var m = Assert.Single(state.Memberships);
        Assert.Equal(["", "O-1"], m.Orders!.Select(o => o.OrderId));
        Assert.Equal(400m, m.Revenue);

        Assert.Equal((1, 0), CampaignMemberships.PruneOrders(state, id => id == "O-1", maxTotal: 1_000));
        Assert.Equal(["O-1"], m.Orders!.Select(o => o.OrderId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2_001)]
    public void ACapOutsideItsRangeIsRefused(int maxTotal) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CampaignMemberships.PruneOrders(TenArms(), _ => true, maxTotal));
}
