using System.Text.Json;
using Engagement.Domain.Benefits;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// The saved run of grace drops as stored: <see cref="Engagement.Domain.Tiers.TierGraceDrop.LaterBenefits"/> survives the
/// grain state's JSON round trip, and a run stored before it was kept still undoes its later drop with the first drop's
/// benefits the restored tier carries (CONTRACT.md §1.1, §2).
/// </summary>
public class TierGraceDropStoredRunTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web); // as the grain state serializer writes it

    // A 60-day window and the default 30-day grace. P0 (1 Jan) ages out on 2 Mar (local midnight); the grace ends on 1 Apr.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset FirstGraceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);

    [Fact]
    public void ARunStoredWithoutLaterBenefitsRestoresTheFirstDropsBenefitsTheRestoredTierCarries()
    {
        var member = TwoDrops(out var heldOnV3);
        Assert.Equal(new[] { "birthday-coupon", "priority-booking" }, heldOnV3.Select(b => b.Code));

        // As stored before LaterBenefits was kept: the property is absent from the JSON.
        var json = JsonSerializer.Serialize(member.State, Web).Replace("\"laterBenefits\":", "\"laterBenefitsOld\":", StringComparison.Ordinal);
        var stored = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        Assert.Empty(stored.TierGraceDrop!.LaterBenefits);
        Assert.Equal(2, stored.TierGraceDrop.Drops.Count);

        var late = MemberEngine.Apply(
            stored, new MemberEvent("e-late", MemberEventTypes.Purchase, TestMember.Shanghai(2026, 4, 20)) { OrderId = "O-late", Amount = 1000m },
            member.Options, member.Now);

        Assert.Equal("V2", stored.Tier);
        Assert.Empty(late.BenefitsGranted);
        var coupon = Assert.Single(stored.Benefits);
        Assert.Equal(heldOnV3[0], coupon);
    }

    [Fact]
    public void TheBenefitsHeldBeforeALaterDropSurviveTheJsonRoundTrip()
    {
        var member = TwoDrops(out _);
        var saved = member.State.TierGraceDrop!;
        var held = Assert.Single(saved.LaterBenefits);

        var stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(member.State, Web), Web)!;

        Assert.Equal(held, Assert.Single(stored.TierGraceDrop!.LaterBenefits));
        Assert.Equal(saved.Benefits, stored.TierGraceDrop.Benefits);
        Assert.Equal(saved.Drops, stored.TierGraceDrop.Drops);
        var late = MemberEngine.Apply(
            stored, new MemberEvent("e-late", MemberEventTypes.Purchase, TestMember.Shanghai(2026, 4, 20)) { OrderId = "O-late", Amount = 1000m },
            member.Options, member.Now);
        Assert.Equal(("V2", FirstGraceEnd), (stored.Tier, stored.TierSince));
        Assert.Empty(late.BenefitsGranted);
        Assert.Equal(held, stored.Benefits);
    }

    /// <summary>V3 (5,000 on 1 Jan) → V2 on 1 Apr → V1 on 1 May; now 3 May.</summary>
    private static TestMember TwoDrops(out List<GrantedBenefit> heldOnV3)
    {
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 5000m);
        Assert.Equal("V3", member.Tier);
        heldOnV3 = [.. member.State.Benefits];
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 5, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 5, 3);
        return member;
    }
}
