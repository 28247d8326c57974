using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A grace whose walk back finds no day the window reached the tier's threshold (an admin raised the threshold) starts
/// at the check that found it, not at the walk's limit (CONTRACT.md §2: "keeps the tier through a 30-day grace").
/// </summary>
public class TierGraceNeverReachedTests
{
    [Fact]
    public void RaisingTheThresholdAboveEveryWindowSinceTheTierWasEnteredStartsTheGraceNow()
    {
        // 600 every 30 days from 1 Jan, a 60-day window: V2 (1,000) since 31 Jan at a growth of 1,200 throughout.
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1));
        member.Options.GrowthWindowDays = 60;
        for (var i = 0; i < 7; i++)
        {
            member.Now = TestMember.Shanghai(2026, 1, 1).AddDays(30 * i);
            member.Purchase("O-" + i, 600m);
            MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        }

        Assert.Equal(("V2", 1200L), (member.Tier, member.Growth));
        var tierEntries = member.State.Ledger.Count(e => e.Kind == LedgerKinds.Tier);

        // On 5 Jul the admin raises V2 to 2,000: no window since 31 Jan reached it, so the grace runs from this check.
        member.Now = TestMember.Shanghai(2026, 7, 5);
        member.Options.Tiers["V2"].Threshold = 2000;
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(member.Now, member.State.TierGraceStartedAt);
        Assert.Equal(tierEntries, member.State.Ledger.Count(e => e.Kind == LedgerKinds.Tier));

        // The member keeps V2 through the 30-day grace and drops at its end.
        member.Now = TestMember.Shanghai(2026, 8, 4, 11, 0);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 8, 4, 13, 0);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", TestMember.Shanghai(2026, 8, 4)), (member.Tier, member.State.TierSince));
        var drop = Assert.Single(member.State.Ledger, e => e.Kind == LedgerKinds.Tier && e.RuleId == RuleIds.TierDowngradeGrace);
        Assert.Contains("grace from 2026-07-05T12:00:00+08:00", drop.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALateEventAfterTheThresholdWasRaisedLeavesARunningGraceWhereItBegan()
    {
        // V2 (1,000 on 1 Jan, a 60-day window) is short from 2 Mar: the 5 Mar check dates the grace from 2 Mar 00:00.
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1));
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m);
        member.Now = TestMember.Shanghai(2026, 3, 5);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        var started = TestMember.Shanghai(2026, 3, 2, 0, 0);
        Assert.Equal(("V2", started), (member.Tier, member.State.TierGraceStartedAt));

        // V2 raised to 2,000; a late 100 of 8 Mar arrives on 10 Mar: no window reached 2,000, the grace still runs from 2 Mar.
        member.Options.Tiers["V2"].Threshold = 2000;
        member.Now = TestMember.Shanghai(2026, 3, 10);
        member.Purchase("O-late", 100m, at: TestMember.Shanghai(2026, 3, 8), eventId: "e-late");

        Assert.Equal(("V2", started), (member.Tier, member.State.TierGraceStartedAt));
    }
}
