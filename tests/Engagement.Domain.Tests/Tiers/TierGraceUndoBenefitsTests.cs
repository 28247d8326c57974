using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// Undoing a grace drop restores only benefits the restored tier still carries (CONTRACT.md §2): one disabled or deleted
/// since the drop does not come back.
/// </summary>
public class TierGraceUndoBenefitsTests
{
    // A 60-day window and the default 30-day grace. P0 (1 Jan) ages out on 2 Mar (local midnight); the grace ends on 1 Apr.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset FirstGraceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);

    [Fact]
    public void AFullUndoDoesNotRestoreABenefitDisabledSinceTheDrop()
    {
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m);
        Assert.Equal("birthday-coupon", Assert.Single(member.State.Benefits).Code);
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", FirstGraceEnd), (member.Tier, member.State.TierSince));
        member.Options.Benefits["birthday-coupon"].Enabled = false;
        member.Now = TestMember.Shanghai(2026, 4, 3);

        // A late 1,000 of 20 Mar kept V2 through the grace: the drop is undone, the disabled coupon stays gone.
        var late = member.Purchase("O-late", 1000m, at: TestMember.Shanghai(2026, 3, 20), eventId: "e-late");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Equal("tier.downgrade.grace.correction", Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).RuleId);
        Assert.Empty(member.State.Benefits);
        Assert.Empty(late.BenefitsGranted);
    }
}
