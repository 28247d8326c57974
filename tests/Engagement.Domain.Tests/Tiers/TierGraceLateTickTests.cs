using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A grace found late: a first check more than a window after growth fell short still dates the grace from the day it
/// fell short, and the drop at that grace's end (CONTRACT.md §2: "keeps the tier through a 30-day grace").
/// </summary>
public class TierGraceLateTickTests
{
    // A 60-day window and the default 30-day grace. P0 (1 Jan) ages out on 2 Mar (local midnight); the grace ends on 1 Apr.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset FirstGraceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);

    [Fact]
    public void AFirstTickMoreThanAWindowLateDropsTheTierAtTheEndOfTheGraceThatBeganWhenGrowthFellShort()
    {
        // Nothing checks the member between 1 Jan and 15 May (74 days after growth fell short, more than the 60-day window).
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m);
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 5, 15);

        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);

        Assert.Equal(("V1", FirstGraceEnd), (member.Tier, member.State.TierSince));
        var drop = Assert.Single(member.State.Ledger, e => e.Kind == LedgerKinds.Tier && e.RuleId == RuleIds.TierDowngradeGrace);
        Assert.Equal(FirstGraceEnd, drop.EffectiveOccurredAt);
        Assert.Contains("grace from 2026-03-02T00:00:00+08:00", drop.Reason, StringComparison.Ordinal);
    }
}
