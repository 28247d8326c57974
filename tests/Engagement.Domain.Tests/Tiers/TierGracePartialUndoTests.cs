using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// Undoing only the later drops of a run of grace drops restores the benefits held just before them, as they were, not
/// the ones the tier is configured with now (CONTRACT.md §1.1, §2: benefits are granted on entering a tier).
/// </summary>
public class TierGracePartialUndoTests
{
    // A 60-day window and the default 30-day grace. P0 (1 Jan) ages out on 2 Mar (local midnight); the grace ends on 1 Apr.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset FirstGraceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);
    private static readonly DateTimeOffset SecondGraceEnd = TestMember.Shanghai(2026, 5, 1, 0, 0);

    [Fact]
    public void UndoingOnlyTheLaterDropRestoresTheBenefitsHeldBeforeItAndGrantsNoneEnabledBetweenTheDrops()
    {
        // P0 of 5,000 (V3) ages out on 2 Mar: V3 → V2 on 1 Apr; a V2 benefit is enabled after that drop; V2 → V1 on 1 May.
        // A late 1,000 of 20 Apr kept V2 through 1 May (not V3 through 1 Apr): only the second drop is undone, and the
        // member holds V2's benefits as it held them before that drop, without the one enabled meanwhile (in order the
        // member never entered V2 again, so nothing granted it).
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 5000m);
        Assert.Equal("V3", member.Tier);
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V2", FirstGraceEnd), (member.Tier, member.State.TierSince));
        var heldOnV2 = member.State.Benefits.ToList();
        Assert.Equal("birthday-coupon", Assert.Single(heldOnV2).Code);
        member.Options.Benefits["v2-lounge"] = new BenefitDefinition { Name = "Lounge", Kind = BenefitKinds.Service, Tier = "V2" };
        member.Now = TestMember.Shanghai(2026, 5, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", SecondGraceEnd), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 5, 3);

        var late = member.Purchase("O-late", 1000m, at: TestMember.Shanghai(2026, 4, 20), eventId: "e-late");

        Assert.Equal(("V2", FirstGraceEnd), (member.Tier, member.State.TierSince));
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal(("tier.downgrade.grace.correction", "V1"), (move.RuleId, move.TierLeft));
        Assert.Empty(late.BenefitsGranted);
        Assert.Equal(heldOnV2, member.State.Benefits);
        Assert.Equal(P0, member.State.Benefits[0].GrantedAt);
    }
}
