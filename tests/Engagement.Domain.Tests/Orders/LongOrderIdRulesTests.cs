using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// The rules that order purchases by (instant, id) with long order ids kept as keys (<see cref="OrderIds"/>): purchases at
/// the same instant are taken in the order of the ids the member keeps, so for long ids in the order of their keys
/// (their hashes), not of the ids as sent (docs/rules.md "Touch governance"; <see cref="MemberState.FirstPurchaseOrderId"/>).
/// </summary>
public sealed class LongOrderIdRulesTests
{
    private static readonly DateTimeOffset At = TestMember.Shanghai(2026, 3, 2, 10);

    private const string Store = "订单-上海南京西路旗舰店-20261123-第";

    private static long Points(MemberState state) => state.Orders.Sum(o => o.Points);

    private static MemberState TwoPurchasesAtOneInstant(string first, string second)
    {
        var state = new MemberState { MemberId = "M-tie" };
        var options = new ProgramOptions();
        Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent("p-1", MemberEventTypes.Purchase, At) { OrderId = first, Amount = 100m }, options, At).Status);
        Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent("p-2", MemberEventTypes.Purchase, At) { OrderId = second, Amount = 300m }, options, At).Status);
        return state;
    }

    [Fact]
    public void PurchasesAtOneInstantWithShortIdsGiveTheFirstPurchaseDoubleToTheSmallerIdAsSent()
    {
        var state = TwoPurchasesAtOneInstant("G-0001", "G-0002");

        Assert.Equal("G-0001", state.FirstPurchaseOrderId);
        Assert.Equal(500, Points(state)); // 100 doubled, 300 once
        Assert.Equal(500, PointsWallet.Balance(state));
    }

    [Fact]
    public void PurchasesAtOneInstantWithLongIdsGiveTheFirstPurchaseDoubleToTheSmallerKeyAndReprice()
    {
        var first = Store + "0001号";
        var second = Store + "0002号";
        // The tie rule pinned: by kept id, so by key for long ids; these two keys sort the other way round from the ids.
        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.True(string.CompareOrdinal(OrderIds.Key(second), OrderIds.Key(first)) < 0);

        var state = TwoPurchasesAtOneInstant(first, second);

        Assert.Equal(OrderIds.Key(second), state.FirstPurchaseOrderId);
        Assert.Equal(700, Points(state)); // 300 doubled, 100 once: the first re-priced 200 → 100
        Assert.Equal(700, PointsWallet.Balance(state));
        Assert.Equal(100, state.Orders.Single(o => o.OrderId == OrderIds.Key(first)).Points);
        Assert.Equal(600, state.Orders.Single(o => o.OrderId == OrderIds.Key(second)).Points);
        var correction = Assert.Single(state.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(-100, correction.Delta);
        Assert.Contains("late event p-2", correction.Reason, StringComparison.Ordinal);
        Assert.Contains(state.Ledger, e => e.RuleId == RuleIds.PointsEarnFirstPurchaseDouble && e.Reason.StartsWith("purchase " + OrderIds.Named(first) + " of ", StringComparison.Ordinal));
    }
}
