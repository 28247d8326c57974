using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late purchase that, in event time, ended a dip inside a grace the engine has already ended: in order the member never
/// lost the tier (CONTRACT.md §2), so the recorded <c>tier.downgrade.grace</c> is undone by a correction entry naming the
/// late event (CONTRACT.md §1.1), tierSince goes back to the original reach, and the tier's benefits are restored, not
/// granted again.
/// </summary>
public class TierGraceCorrectionTests
{
    // A 60-day window, the default 30-day grace and V2 at 1,000. P0 (1,000 CNY, 1 Jan) lifts the member to V2 and ages out
    // on 2 Mar (local midnight); the grace ends on 1 Apr, when a tick drops the member to V1.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset GraceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);
    private static readonly DateTimeOffset Late = TestMember.Shanghai(2026, 3, 20);
    private const string CorrectionRule = "tier.downgrade.grace.correction";

    [Fact]
    public void ALatePurchaseInsideAGraceAlreadyEndedUndoesTheDropInsteadOfUpgradingAgain()
    {
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));

        var late = member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Empty(late.BenefitsGranted);
        var coupon = Assert.Single(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Equal(P0, coupon.GrantedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((CorrectionRule, 1L, 2L, Late), (move.RuleId, move.Delta, move.BalanceAfter, move.EffectiveOccurredAt));
        Assert.Contains("e-late", move.Reason, StringComparison.Ordinal);
        Assert.Contains("undone", move.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(late.TierChanges, c => c.IsUpgrade);
        Assert.Null(OfferFulfilment.TierReachedAt(late));
        Assert.Equal(P0, member.Summary.TierSince);
    }

    [Fact]
    public void ALatePurchaseAgedOutSinceUndoesTheDropAndLeavesTheMemberOnTheGraceItHasInOrder()
    {
        // The late 1,000 of 20 Mar arrives on 25 May, after it aged out (19 May): in order V2 since 1 Jan without a break,
        // on V2's grace since 19 May (ending 18 Jun).
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        member.Now = TestMember.Shanghai(2026, 5, 25);

        var late = member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 5, 19, 0, 0), member.State.TierGraceStartedAt);
        Assert.Empty(late.BenefitsGranted);
        Assert.Equal(P0, Assert.Single(member.State.Benefits, b => b.Code == "birthday-coupon").GrantedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((CorrectionRule, Late), (move.RuleId, move.EffectiveOccurredAt));
    }

    [Fact]
    public void ALatePurchaseAfterTheGraceEndedDoesNotUndoTheDrop()
    {
        // The late 1,000 occurred on 1 Apr at 00:00, the grace's end: the drop had happened, so the purchase reaches V2 again.
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));

        var late = member.Purchase("O-late", 1000m, at: GraceEnd, eventId: "e-late");

        Assert.Equal(("V2", GraceEnd), (member.Tier, member.State.TierSince));
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, GraceEnd), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Contains(late.BenefitsGranted, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ARestoredDedicatedAdvisorKeepsItsGrantDateAndIsNotAssignedAgain()
    {
        // P0 of 20,000 (V4) occurred at 12:00 and was applied at 12:05: the advisor came with V4 at 12:00, where the purchase
        // moved the member up (CONTRACT.md §1.1, as tierSince), not at the arrival, and was assigned.
        var member = new TestMember(P0.AddMinutes(5));
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 20_000m, at: P0);
        var advisor = Assert.Single(member.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor);
        Assert.Equal((P0, P0), (member.State.TierSince!.Value, advisor.GrantedAt));
        var offers = new OffersOptions { CouponSecret = Offers.CouponTestKit.Secret };
        Assert.Single(BenefitUses.AssignAdvisorsDue(member.State, offers, member.Options, member.Now).Reply);
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V3", GraceEnd), (member.Tier, member.State.TierSince));

        var late = member.Purchase("O-late", 20_000m, at: Late, eventId: "e-late");

        Assert.Equal(("V4", P0), (member.Tier, member.State.TierSince));
        Assert.Empty(late.BenefitsGranted);
        Assert.Equal(advisor, Assert.Single(member.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor));
        var again = BenefitUses.AssignAdvisorsDue(member.State, offers, member.Options, member.Now);
        Assert.False(again.StateChanged);
        Assert.Empty(again.Reply);
    }

    [Fact]
    public void TheSameLateEventTwiceAndASecondLateEventCorrectOnce()
    {
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");

        var twice = member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");
        var other = member.Purchase("O-late2", 1000m, at: Late.AddDays(1), eventId: "e-late2");

        Assert.DoesNotContain(twice.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.DoesNotContain(other.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Single(member.State.Ledger, e => e.RuleId == CorrectionRule);
        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
    }

    [Fact]
    public void ASecondGraceCycleUndoneLaterStillRestoresTheOriginalReach()
    {
        // Drop of 1 Apr undone by the late 20 Mar; that purchase ages out on 19 May, the grace ends on 18 Jun (dropped
        // again); a late purchase of 10 Jun undoes that drop too: V2 since 1 Jan, not since the first correction.
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");
        member.Now = TestMember.Shanghai(2026, 6, 19);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", TestMember.Shanghai(2026, 6, 18, 0, 0)), (member.Tier, member.State.TierSince));

        var late = member.Purchase("O-late2", 1000m, at: TestMember.Shanghai(2026, 6, 10), eventId: "e-late2");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Equal(CorrectionRule, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).RuleId);
        Assert.Equal(P0, Assert.Single(member.State.Benefits, b => b.Code == "birthday-coupon").GrantedAt);
    }

    [Fact]
    public void TheDropIsUndoneAfterTheMovesBeforeItLeftTheRecentLedger()
    {
        // 60 small purchases after the drop push the 1 Jan upgrade out of the newest 50 ledger entries.
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        for (var i = 0; i < 60; i++)
        {
            member.Purchase("O-small-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1m, at: member.Now.AddMinutes(i));
        }

        Assert.DoesNotContain(member.State.Ledger, e => e.Kind == LedgerKinds.Tier && e.RuleId == RuleIds.TierUpgrade);

        var late = member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Equal(CorrectionRule, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).RuleId);
        Assert.Empty(late.BenefitsGranted);
    }

    [Fact]
    public void APurchaseBetweenTheDropAndTheLateArrivalIsRepricedAtTheRestoredTier()
    {
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        member.Now = TestMember.Shanghai(2026, 4, 5);
        member.Purchase("O-between", 100m);
        member.Now = TestMember.Shanghai(2026, 4, 10);

        var late = member.Purchase("O-late", 1000m, at: Late, eventId: "e-late");

        Assert.Equal("V2", member.Tier);
        var fix = Assert.Single(late.NewEntries, e => e.RuleId == "points.earn.correction");
        Assert.Equal(20L, fix.Delta);
    }

    [Fact]
    public void TheSavedDropSurvivesStorageAndAStateWithoutItUndoesNothing()
    {
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var member = DroppedAt(TestMember.Shanghai(2026, 4, 2));
        var json = System.Text.Json.JsonSerializer.Serialize(member.State, web);
        Assert.Contains("\"tierGraceDrop\"", json, StringComparison.Ordinal);

        var stored = new TestMember(member.Now);
        stored.Options.GrowthWindowDays = 60;
        var loaded = System.Text.Json.JsonSerializer.Deserialize<MemberState>(json, web)!;
        Assert.Equal(member.State.TierGraceDrop!.Drops, loaded.TierGraceDrop!.Drops);
        Assert.Equal(member.State.TierGraceDrop.Benefits, loaded.TierGraceDrop.Benefits);

        // A state stored before the field existed: the late purchase upgrades again, as before.
        loaded.TierGraceDrop = null;
        var old = System.Text.Json.JsonSerializer.Deserialize<MemberState>(System.Text.Json.JsonSerializer.Serialize(loaded, web), web)!;
        Assert.Null(old.TierGraceDrop);
        var late = MemberEngine.Apply(old, new MemberEvent("e-late", MemberEventTypes.Purchase, Late) { OrderId = "O-late", Amount = 1000m }, stored.Options, member.Now);
        Assert.Equal(RuleIds.TierUpgrade, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).RuleId);
    }

    /// <summary>P0 on 1 Jan (V2), then a tick at <paramref name="now"/> that has dropped the member to V1 at the grace's end.</summary>
    private static TestMember DroppedAt(DateTimeOffset now)
    {
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m);
        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        member.Now = now;
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", GraceEnd), (member.Tier, member.State.TierSince));
        Assert.Equal(RuleIds.TierDowngradeGrace, member.State.Ledger.Last(e => e.Kind == LedgerKinds.Tier).RuleId);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
        return member;
    }
}
