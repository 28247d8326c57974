using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late refund that drops the tier held now, dated before the instant that tier was entered by a drop, is judged by the
/// tier moves dated around its occurredAt (CONTRACT.md §1.1, §2: a refund recomputes the tier at once): against the higher
/// tier the member held then, where it occurred, and the refunds after it with it counted, as a replayed refund is; not
/// dropped at its arrival with tierSince the arrival.
/// </summary>
public class TierLateRefundBeforeDropTests
{
    [Fact]
    public void ALateRefundBeforeTheDropThatEnteredTheTierNowIsJudgedAgainstTheTierHeldThen()
    {
        // Default programme. O-0 800 (1 Feb, V1), O-1 4,500 (1 Mar, 5,300: V3 since 1 Mar), 400 of O-1 refunded on 10 Mar
        // (4,900: V3 → V2 at once, tierSince 10 Mar). The late refund of 4,000 of O-1 dated 5 Mar arrives on 12 Mar (900 now:
        // below V2). In order: 5 Mar 1,300 takes V3 (held then) down to V2 at once, the tier held now ("V2 kept (in order
        // V3 → V2)", tierSince 5 Mar); 10 Mar 900 takes V2 (held since 5 Mar, after O-1) down to V1: V1 since 10 Mar. The old
        // path dropped V2 → V1 at the arrival: tierSince 12 Mar.
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-0", 800m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Purchase("O-1", 4500m, eventId: "e-1");
        Assert.Equal("V3", member.Tier);
        member.Now = TestMember.Shanghai(2026, 3, 10);
        member.Refund("O-1", 400m, eventId: "e-r1");
        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 10)), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 12);

        var late = member.Refund("O-1", 4000m, at: TestMember.Shanghai(2026, 3, 5), eventId: "e-late-refund");

        Assert.Equal(("V1", TestMember.Shanghai(2026, 3, 10)), (member.Tier, member.State.TierSince));
        Assert.Equal(TimeSpan.Zero, member.State.TierSince!.Value.Offset);
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, 0L, TestMember.Shanghai(2026, 3, 5), "V3"),
                (RuleIds.TierDowngradeRefund, -1L, TestMember.Shanghai(2026, 3, 10), "V2"),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt, e.TierLeft)));
        Assert.StartsWith("V2 kept (in order V3 → V2): a refund at 2026-03-05", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);
        Assert.Equal([("V2", "V1")], late.TierChanges.Select(c => (c.From, c.To)));
        Assert.Empty(member.State.Benefits);
    }

    [Fact]
    public void ALateRefundMadeEarlierOnTheDayOfTheDropIsJudgedInOrder()
    {
        // docs/ledger.md's case on one day. O-0 800 (1 Feb), O-1 4,500 (1 Mar: 5,300, V3 since 1 Mar); 400 of O-1 refunded live at
        // 15:00 on 10 Mar (4,900: V3 → V2, tierSince 15:00). A refund of 4,000 of O-1 made at 09:00 that day arrives at
        // 18:00 (900 now). In order: 09:00 1,300 takes V3 (held then) down to V2 ("V2 kept (in order V3 → V2)", tierSince
        // 09:00); 15:00 900 takes V2 down to V1: V1 since 15:00. Taken only for a refund of an earlier day, the path in
        // order was skipped: V1 since 18:00 (the arrival) with a V2 → V1 entry dated 09:00.
        var dropAt = TestMember.Shanghai(2026, 3, 10, 15);
        var madeAt = TestMember.Shanghai(2026, 3, 10, 9);
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-0", 800m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Purchase("O-1", 4500m, eventId: "e-1");
        Assert.Equal("V3", member.Tier);
        member.Now = dropAt;
        member.Refund("O-1", 400m, eventId: "e-r1");
        Assert.Equal(("V2", dropAt), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 10, 18);

        var late = member.Refund("O-1", 4000m, at: madeAt, eventId: "e-late-refund");

        Assert.Equal(("V1", dropAt), (member.Tier, member.State.TierSince));
        Assert.Equal(TimeSpan.Zero, member.State.TierSince!.Value.Offset);
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, 0L, madeAt, "V3"),
                (RuleIds.TierDowngradeRefund, -1L, dropAt, "V2"),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt, e.TierLeft)));
        Assert.StartsWith("V2 kept (in order V3 → V2): a refund at 2026-03-10T01:00:00", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);
        Assert.Equal([("V2", "V1")], late.TierChanges.Select(c => (c.From, c.To)));
    }

    [Fact]
    public void ALateRefundBeforeAGraceDropIsJudgedAgainstTheTierTheGraceLeft()
    {
        // A 60-day window, the default 30-day grace. O-0 4,000 (1 Jan), O-1 1,500 (20 Feb: 5,500, V3 since 20 Feb). O-0 ages
        // out on 2 Mar (1,500): V3's grace from then, V3 → V2 on 1 Apr (1,500 keeps V2). A refund of 1,000 of O-1 made on
        // 25 Feb arrives on 12 Apr (500 now). In order: 25 Feb 4,500 takes V3 (held since 20 Feb, the grace run's tier)
        // down to V2 at once ("V2 kept (in order V3 → V2)"); O-0 ageing out on 2 Mar leaves 500: V2's grace from then,
        // V2 → V1 at its end on 1 Apr. The drop at once at the arrival gave V1 since 12 Apr.
        var graceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);
        var madeAt = TestMember.Shanghai(2026, 2, 25);
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1));
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 4000m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 2, 20);
        member.Purchase("O-1", 1500m, eventId: "e-1");
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 20)), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 3);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V2", graceEnd), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        member.Now = TestMember.Shanghai(2026, 4, 12);

        var late = member.Refund("O-1", 1000m, at: madeAt, eventId: "e-late-refund");

        Assert.Equal(("V1", graceEnd), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, 0L, madeAt, "V3"),
                (RuleIds.TierDowngradeGrace, -1L, graceEnd, "V2"),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt, e.TierLeft)));
        Assert.StartsWith("V2 kept (in order V3 → V2)", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);
        Assert.Equal([("V2", "V1")], late.TierChanges.Select(c => (c.From, c.To)));
    }
}
