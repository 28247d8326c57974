using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

public sealed class AudienceAndMembershipTests
{
    private static readonly MemberAttributes Vip = new()
    {
        Tier = "V3", Segment = "Champions", ValueClass = "A", Stage = "active", Region = "east", Tags = ["vip", "wine"],
    };

    [Fact]
    public void EmptyListsMatchAnyoneAndEveryNonEmptyListMustHoldTheValue()
    {
        Assert.True(new AudienceCriteria().Matches(Vip));
        Assert.True(new AudienceCriteria { Tiers = ["V2", "V3"], Regions = ["east"], Tags = ["wine", "beer"] }.Matches(Vip));
        Assert.True(new AudienceCriteria { Segments = ["champions"] }.Matches(Vip));
        Assert.False(new AudienceCriteria { Tiers = ["V2", "V3"], Regions = ["west"] }.Matches(Vip));
        Assert.False(new AudienceCriteria { Tags = ["beer"] }.Matches(Vip));
        Assert.False(new AudienceCriteria { Stages = ["at_risk"] }.Matches(Vip));
        Assert.False(new AudienceCriteria { ValueClasses = ["B"] }.Matches(Vip));
    }

    [Fact]
    public void PurchasesInsideTheWindowAttributeOnceAsConversionThenAsRevenue()
    {
        var at = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var state = new CampaignMemberState();
        state.Memberships.Add(new CampaignMembership { CampaignId = "c1", Group = "arm", Arm = "main", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(3) });
        state.Memberships.Add(new CampaignMembership { CampaignId = "c2", Group = "none", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(3) });

        Assert.Empty(CampaignMemberships.AttributePurchase(state, "before", 10m, at.AddMinutes(-1)));
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e1", 100m, at.AddDays(1)));
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e2", 50m, at.AddDays(6)));
        Assert.Empty(CampaignMemberships.AttributePurchase(state, "late", 70m, at.AddDays(7)));

        var m = state.Memberships[0];
        Assert.True(m.Converted);
        Assert.Equal(150m, m.Revenue);
        Assert.Equal([true, false], m.PendingPurchases.Select(p => p.Conversion));
    }

    [Fact]
    public void ARefundTakesBackTheRevenueOfTheOrderItCountedOnceAndNeverMoreThanItCounted()
    {
        var at = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var state = new CampaignMemberState();
        state.Memberships.Add(new CampaignMembership { CampaignId = "c1", Group = "arm", Arm = "main", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(3) });
        CampaignMemberships.AttributePurchase(state, "e1", 400m, at.AddDays(1), "o1");
        var m = state.Memberships[0];
        m.PendingPurchases.Clear();

        // Refunds report the order's cumulative refunded amount: 150, the same again (a repeat), 400 in all, then more.
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r1", "o1", 150m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r1", "o1", 150m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r0", "other-order", 90m));
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r2", "o1", 400m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r3", "o1", 500m));

        Assert.Equal(0m, m.Revenue);
        Assert.True(m.Converted);
        Assert.Equal([-150m, -250m], m.PendingPurchases.Select(p => p.Amount));
        Assert.All(m.PendingPurchases, p => Assert.False(p.Conversion));
    }

    [Fact]
    public void PruneForgetsOnlySettledMembershipsOfEndedCampaigns()
    {
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var state = new CampaignMemberState();
        state.Memberships.Add(new CampaignMembership { CampaignId = "ended", Group = "control", Outcome = "held", ReportedOutcome = "held", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(2) });
        state.Memberships.Add(new CampaignMembership { CampaignId = "live", Group = "arm", Outcome = "sent", ReportedOutcome = "sent", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(30) });
        state.Memberships.Add(new CampaignMembership { CampaignId = "deferred", Group = "arm", Outcome = "deferred", ReportedOutcome = "deferred", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(2) });

        // Deferred at delivery, then sent and reported: settled as sent (its Outcome stays what the campaign counted then).
        state.Memberships.Add(new CampaignMembership { CampaignId = "went-out", Group = "arm", Outcome = "deferred", ReportedOutcome = "sent", AssignedAt = at, AttributionWindowDays = 7, ValidUntil = at.AddDays(2) });

        CampaignMemberships.Prune(state, at.AddDays(10), max: 100);

        Assert.Equal(["live", "deferred"], state.Memberships.Select(m => m.CampaignId));
    }
}
