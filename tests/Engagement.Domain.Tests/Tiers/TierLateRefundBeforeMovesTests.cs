using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late refund dated before two or more tier moves, or before the upgrade that entered the tier held now, has the effect
/// it would have had in order (CONTRACT.md §1.1, §2: a refund recomputes the tier at once): the same tier, tierSince,
/// growth, benefits and points balance as a member who got the same events in occurredAt order, not a drop at its arrival.
/// </summary>
public class TierLateRefundBeforeMovesTests
{
    private static readonly DateTimeOffset Arrival = TestMember.Shanghai(2026, 3, 25);

    [Fact]
    public void ALateRefundBeforeTheUpgradeIntoTheTierNowIsJudgedInOrder()
    {
        // O-0 1,200 (1 Feb: V2), O-1 4,000 (1 Mar: 5,200, V3 since 1 Mar). A refund of 500 of O-0 dated 10 Feb arrives on
        // 25 Mar (4,700 now). In order: 10 Feb 700 takes V2 down to V1; 1 Mar 4,700 lifts V1 to V2: V2 since 1 Mar, O-1
        // earned at V1. The old path dropped V3 → V2 at the arrival: tierSince 25 Mar.
        InOrderIs(
            "V2",
            TestMember.Shanghai(2026, 3, 1),
            Step.Refund(TestMember.Shanghai(2026, 2, 10), "O-0", 500m, "e-late-refund"),
            Step.Buy(TestMember.Shanghai(2026, 2, 1), "O-0", 1200m),
            Step.Buy(TestMember.Shanghai(2026, 3, 1), "O-1", 4000m));
    }

    [Fact]
    public void ALateRefundBeforeADropAndAnUpgradeIsJudgedInOrder()
    {
        // O-0 800 (1 Feb), O-1 4,500 (1 Mar: V3), 400 of O-1 refunded on 10 Mar (4,900: V2), O-2 200 (20 Mar: 5,100, V3
        // again). A refund of 4,000 of O-1 dated 5 Mar arrives on 25 Mar (1,100 now). In order: 5 Mar 1,300 takes V3 down
        // to V2; 10 Mar 900 takes V2 down to V1; 20 Mar 1,100 lifts V1 to V2: V2 since 20 Mar. The old path: V2 since 25 Mar.
        InOrderIs(
            "V2",
            TestMember.Shanghai(2026, 3, 20),
            Step.Refund(TestMember.Shanghai(2026, 3, 5), "O-1", 4000m, "e-late-refund"),
            Step.Buy(TestMember.Shanghai(2026, 2, 1), "O-0", 800m),
            Step.Buy(TestMember.Shanghai(2026, 3, 1), "O-1", 4500m),
            Step.Refund(TestMember.Shanghai(2026, 3, 10), "O-1", 400m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20), "O-2", 200m));
    }

    [Fact]
    public void ALateRefundBeforeTwoDropsIsJudgedInOrder()
    {
        // O-0 900 (1 Feb), O-1 19,500 (1 Mar: 20,400, V4), 1,000 of O-1 refunded on 10 Mar (19,400: V3), 15,000 more on
        // 15 Mar (4,400: V2). A refund of 3,500 of O-1 dated 5 Mar arrives on 25 Mar (900 now). In order: 5 Mar 16,900 takes
        // V4 down to V3; 10 Mar 15,900 keeps V3; 15 Mar 900 takes V3 down to V1: V1 since 15 Mar. The old path read only
        // the last two moves (V2 held then) and dropped V2 → V1 at the arrival: tierSince 25 Mar.
        InOrderIs(
            "V1",
            TestMember.Shanghai(2026, 3, 15),
            Step.Refund(TestMember.Shanghai(2026, 3, 5), "O-1", 3500m, "e-late-refund"),
            Step.Buy(TestMember.Shanghai(2026, 2, 1), "O-0", 900m),
            Step.Buy(TestMember.Shanghai(2026, 3, 1), "O-1", 19_500m),
            Step.Refund(TestMember.Shanghai(2026, 3, 10), "O-1", 1000m),
            Step.Refund(TestMember.Shanghai(2026, 3, 15), "O-1", 15_000m));
    }

    /// <summary>
    /// One member gets <paramref name="events"/> and the <paramref name="late"/> refund in occurredAt order, each applied at
    /// its own instant; the other gets the same events but the late refund last, on <see cref="Arrival"/>. Both are read at
    /// <see cref="Arrival"/>.
    /// </summary>
    private static (TestMember InOrder, TestMember OutOfOrder) Both(Step[] events, Step late)
    {
        var inOrder = TierSteps.After(null, [.. events.Append(late).OrderBy(e => e.At)]);
        var outOfOrder = TierSteps.After(null, events);
        outOfOrder.Now = Arrival;
        outOfOrder.Refund(late.Order!, late.Amount, at: late.At, eventId: late.EventId);
        inOrder.Now = Arrival;
        return (inOrder, outOfOrder);
    }

    /// <summary>
    /// The member who got <paramref name="events"/> and <paramref name="late"/> in order holds <paramref name="tier"/> since
    /// <paramref name="since"/>, and the one who got the late refund last agrees with it in every figure (<see cref="AssertSame"/>).
    /// </summary>
    private static void InOrderIs(string tier, DateTimeOffset since, Step late, params Step[] events)
    {
        var (inOrder, outOfOrder) = Both(events, late);
        Assert.Equal((tier, since), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, outOfOrder);
    }

    /// <summary>Tier, tierSince, growth, benefits (grant dates included), balance and the sum of the tier entries agree.</summary>
    private static void AssertSame(TestMember inOrder, TestMember outOfOrder)
    {
        Assert.Equal((inOrder.Tier, inOrder.State.TierSince), (outOfOrder.Tier, outOfOrder.State.TierSince));
        Assert.Equal(TimeSpan.Zero, outOfOrder.State.TierSince!.Value.Offset);
        Assert.Equal(inOrder.Growth, outOfOrder.Growth);
        Assert.Equal(
            inOrder.State.Benefits.Select(b => (b.Code, b.GrantedAt)),
            outOfOrder.State.Benefits.Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal(inOrder.Balance, outOfOrder.Balance);
        Assert.Equal(inOrder.State.TierGraceStartedAt, outOfOrder.State.TierGraceStartedAt);
        Assert.Equal(
            inOrder.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta),
            outOfOrder.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta));
    }
}
