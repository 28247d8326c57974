using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// One step of a tier test's history, applied at its own instant (<see cref="TierSteps.Run"/>): a purchase, a refund of
/// part of an order, or a time-passed check (the reminder's tick).
/// </summary>
internal readonly record struct Step(DateTimeOffset At, string? Order, decimal Amount, string? EventId, bool IsRefund)
{
    public static Step Buy(DateTimeOffset at, string order, decimal amount, string? eventId = null) => new(at, order, amount, eventId, false);

    public static Step Refund(DateTimeOffset at, string order, decimal amount, string? eventId = null) => new(at, order, amount, eventId, true);

    public static Step Tick(DateTimeOffset at) => new(at, null, 0m, null, false);
}

/// <summary>The set-up most tier tests share: a member and the purchases, refunds and checks it went through, in the order given.</summary>
internal static class TierSteps
{
    /// <summary>
    /// A member of the default programme (a trailing window of <paramref name="windowDays"/> days when given) first seen at
    /// the first step, after <paramref name="steps"/>; its clock stops at the last step's instant.
    /// </summary>
    public static TestMember After(int? windowDays, params Step[] steps)
    {
        var member = new TestMember(steps[0].At);
        if (windowDays is { } days)
        {
            member.Options.GrowthWindowDays = days;
        }

        return member.Run(steps);
    }

    /// <summary>Applies <paramref name="steps"/> in the order given, each with the clock at its instant (events occur then).</summary>
    public static TestMember Run(this TestMember member, params Step[] steps)
    {
        foreach (var step in steps)
        {
            member.Now = step.At;
            if (step.Order is null)
            {
                MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
            }
            else if (step.IsRefund)
            {
                member.Refund(step.Order, step.Amount, eventId: step.EventId);
            }
            else
            {
                member.Purchase(step.Order, step.Amount, eventId: step.EventId);
            }
        }

        return member;
    }

    /// <summary>
    /// A member that got events late ends as one that got them in occurredAt order: tier and tierSince (UTC), growth, grace,
    /// the benefits <paramref name="benefits"/> picks with their grant dates, points balance, and tier entries summing to
    /// the tier's rank.
    /// </summary>
    public static void AssertEndsAlike(TestMember inOrder, TestMember late, Func<GrantedBenefit, bool> benefits)
    {
        Assert.Equal((inOrder.Tier, inOrder.State.TierSince), (late.Tier, late.State.TierSince));
        Assert.Equal(TimeSpan.Zero, late.State.TierSince!.Value.Offset);
        Assert.Equal(inOrder.Growth, late.Growth);
        Assert.Equal(inOrder.State.TierGraceStartedAt, late.State.TierGraceStartedAt);
        Assert.Equal(
            inOrder.State.Benefits.Where(benefits).Select(b => (b.Code, b.GrantedAt)).Order(),
            late.State.Benefits.Where(benefits).Select(b => (b.Code, b.GrantedAt)).Order());
        Assert.Equal(inOrder.Balance, late.Balance);
        Assert.Equal(
            TierPolicy.Rank(late.Options, late.Tier),
            late.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta));
    }
}
