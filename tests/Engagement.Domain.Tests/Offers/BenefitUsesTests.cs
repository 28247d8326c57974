using Engagement.Domain.Benefits;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>Non-monetary benefits as grants with usage (<see cref="BenefitUses"/>), the region stock index and the runtime point value of a redemption.</summary>
public sealed class BenefitUsesTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private readonly ProgramOptions _options = new();

    private MemberState Member(string tier)
    {
        var member = new MemberState { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60), Tier = tier };
        BenefitCatalog.OnTierEntered(member, _options, tier, Noon.AddDays(-10));
        return member;
    }

    private static PriorityBookingCommand Slot(string id, double hoursAhead, string store = "S001") => new(id, store, Noon.AddHours(hoursAhead), "fitting");

    [Fact]
    public void AV3MemberBooksAPrioritySlotOnceAndTheBookingIsAUseWithItsSlot()
    {
        var member = Member("V3");
        var booked = BenefitUses.BookPriority(member, Slot("b1", 26), Offers, _options, Noon);

        Assert.True(booked.StateChanged);
        Assert.True(booked.Reply.Accepted);
        var use = Assert.Single(member.Offers!.BenefitUses);
        Assert.Equal(("booking:b1", BenefitUses.PriorityBooking, BenefitUseKinds.Used, "S001", Noon.AddHours(26).ToUniversalTime()), (use.UseId, use.Code, use.Kind, use.StoreId, use.SlotStart));
        Assert.Contains("fitting", use.Detail, StringComparison.Ordinal);

        var again = BenefitUses.BookPriority(member, Slot("b1", 26), Offers, _options, Noon.AddMinutes(1));
        Assert.Equal((true, true, false), (again.Reply.Accepted, again.Reply.Replayed, again.StateChanged));
        Assert.Single(member.Offers.BenefitUses);

        Assert.Equal(BenefitRefusals.BookingIdReused, BenefitUses.BookPriority(member, Slot("b1", 27), Offers, _options, Noon).Reply.Reason);
        Assert.Equal(BenefitRefusals.SlotTaken, BenefitUses.BookPriority(member, Slot("b2", 26), Offers, _options, Noon).Reply.Reason);
        Assert.Equal(BenefitRefusals.SlotInPast, BenefitUses.BookPriority(member, Slot("b3", 0), Offers, _options, Noon).Reply.Reason);
        Assert.Equal(BenefitRefusals.SlotTooFar, BenefitUses.BookPriority(member, Slot("b4", (24 * 60) + 1), Offers, _options, Noon).Reply.Reason);
        Assert.True(BenefitUses.BookPriority(member, Slot("b5", 24 * 60), Offers, _options, Noon).Reply.Accepted);
        Assert.Equal(2, member.Offers.BenefitUses.Count);

        // Stored as JSON (the grain state format) and read back: the slot and its store survive, so a retry still replays.
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var read = System.Text.Json.JsonSerializer.Deserialize<MemberState>(System.Text.Json.JsonSerializer.Serialize(member, web), web)!;
        Assert.Equal(member.Offers.BenefitUses, read.Offers!.BenefitUses);
        Assert.True(BenefitUses.BookPriority(read, Slot("b1", 26), Offers, _options, Noon).Reply.Replayed);
    }

    [Fact]
    public void OnlyTheTierPackageOrAGrantEntitlesAndAMemberWhoLosesTheTierLosesTheBenefit()
    {
        var v2 = Member("V2");
        var refused = BenefitUses.BookPriority(v2, Slot("b1", 5), Offers, _options, Noon);
        Assert.Equal((false, BenefitRefusals.NotEntitled), (refused.StateChanged, refused.Reply.Reason));
        Assert.Contains("V3", refused.Reply.Detail, StringComparison.Ordinal);

        var v3 = Member("V3");
        Assert.True(BenefitUses.Holds(v3, _options, BenefitUses.PriorityBooking));
        v3.Tier = "V2";
        BenefitCatalog.OnTierEntered(v3, _options, "V2", Noon);
        Assert.Equal(BenefitRefusals.NotEntitled, BenefitUses.BookPriority(v3, Slot("b2", 5), Offers, _options, Noon).Reply.Reason);

        // A campaign's benefit offer grants it to a V2 member.
        OfferFulfilment.GrantBenefit(v2, "campaign:C9", BenefitUses.PriorityBooking, "granted by campaign C9", Noon);
        Assert.True(BenefitUses.BookPriority(v2, Slot("b3", 5), Offers, _options, Noon).Reply.Accepted);
    }

    [Fact]
    public void UsesBeyondTheBoundForgetTheOldestUseButKeepTheGrantThatEntitles()
    {
        var member = Member("V1");
        OfferFulfilment.GrantBenefit(member, "campaign:C1", BenefitUses.PriorityBooking, "granted by campaign C1", Noon);
        for (var i = 1; i <= MemberOfferState.MaxBenefitUses + 5; i++)
        {
            Assert.True(BenefitUses.BookPriority(member, Slot("b" + i, i), Offers, _options, Noon).Reply.Accepted);
        }

        var uses = member.Offers!.BenefitUses;
        Assert.Equal(MemberOfferState.MaxBenefitUses, uses.Count);
        Assert.Equal("campaign:C1", uses[0].UseId);
        Assert.Equal("booking:b7", uses[1].UseId);

        // A second campaign's grant at the bound pushes out the oldest use too, not the first campaign's grant.
        OfferFulfilment.GrantBenefit(member, "campaign:C2", BenefitUses.DedicatedAdvisor, "granted by campaign C2", Noon);
        Assert.Equal(MemberOfferState.MaxBenefitUses, uses.Count);
        Assert.Equal("campaign:C1", uses[0].UseId);
        Assert.Equal("booking:b8", uses[1].UseId);
        Assert.True(BenefitUses.BookPriority(member, Slot("b99", 99), Offers, _options, Noon).Reply.Accepted);
    }

    [Fact]
    public void AV4MemberGetsOneAdvisorAssignmentAsAUseAndAServiceTouch()
    {
        var member = Member("V4");
        var first = BenefitUses.AssignAdvisorsDue(member, Offers, _options, Noon);

        Assert.True(first.StateChanged);
        var use = Assert.Single(first.Reply);
        Assert.Equal((BenefitUses.DedicatedAdvisor, BenefitUseKinds.Used), (use.Code, use.Kind));
        var touch = Assert.Single(member.Touches.Sent);
        Assert.Equal((BenefitUses.AdvisorAssignmentTouch, TouchCategories.Service, "call", BenefitUses.DedicatedAdvisor), (touch.Kind, touch.Category, touch.Channel, touch.Offer));
        Assert.Single(member.Outbox.Pending.OfType<PublishTouch>());

        var again = BenefitUses.AssignAdvisorsDue(member, Offers, _options, Noon.AddDays(1));
        Assert.False(again.StateChanged);
        Assert.Single(member.Touches.Sent);

        // A V3 member has none; dropping from V4 and coming back assigns one again.
        Assert.False(BenefitUses.AssignAdvisorsDue(Member("V3"), Offers, _options, Noon).StateChanged);
        member.Tier = "V3";
        BenefitCatalog.OnTierEntered(member, _options, "V3", Noon.AddDays(2));
        Assert.False(BenefitUses.AssignAdvisorsDue(member, Offers, _options, Noon.AddDays(2)).StateChanged);
        member.Tier = "V4";
        BenefitCatalog.OnTierEntered(member, _options, "V4", Noon.AddDays(3));
        Assert.True(BenefitUses.AssignAdvisorsDue(member, Offers, _options, Noon.AddDays(3)).StateChanged);
    }

    [Fact]
    public void AWinBackLevelThatAsksForAnAdvisorRecordsOneAssignmentOnceWithoutASecondTouch()
    {
        var member = Member("V1");
        var entered = Noon.AddDays(38);
        member.Lifecycle.WinBackStartedAt = Noon.AddDays(30);
        member.Lifecycle.WinBackLevel = 2;
        member.Lifecycle.WinBackLevelEnteredAt = entered;
        member.Lifecycle.AdvisorRequestedAt = entered;

        var assigned = BenefitUses.AssignAdvisorsDue(member, Offers, _options, entered);
        Assert.True(assigned.StateChanged);
        Assert.Contains("win-back L2", Assert.Single(assigned.Reply).Detail, StringComparison.Ordinal);
        Assert.Equal("advisor:winback:" + entered.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture), Assert.Single(member.Offers!.BenefitUses).UseId);

        // The L2 touch itself (call task, "outbound-call+advisor") carries the assignment: no second touch.
        Assert.Empty(member.Touches.Sent);
        Assert.False(BenefitUses.AssignAdvisorsDue(member, Offers, _options, entered.AddHours(1)).StateChanged);

        // Activity ends the episode: nothing more is due.
        member.Lifecycle.WinBackLevel = 0;
        member.Lifecycle.WinBackStartedAt = null;
        Assert.False(BenefitUses.AssignAdvisorsDue(Member("V1"), Offers, _options, entered).StateChanged);
    }

    [Fact]
    public void ARegionIndexFollowsItsStoresIdempotently()
    {
        var none = new RegionStock();
        var one = none.Set("S1", inStock: true);
        Assert.True(one.Any);
        Assert.Same(one, one.Set("S1", inStock: true));
        Assert.Equal(["S1", "S2"], one.Set("S2", inStock: true).Stores);
        Assert.False(one.Set("S1", inStock: false).Any);
        Assert.Same(none, none.Set("S9", inStock: false));

        // Stored as JSON (the grain state format) and read back, it still answers and changes.
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var read = System.Text.Json.JsonSerializer.Deserialize<RegionStock>(System.Text.Json.JsonSerializer.Serialize(one.Set("S2", inStock: true), web), web)!;
        Assert.Equal(["S1", "S2"], read.Stores);
        Assert.Equal(["S2"], read.Set("S1", inStock: false).Stores);
    }

    [Fact]
    public void ARedemptionIsValuedAtThePointValueInForceAndItsLedgerSaysSo()
    {
        var member = Member("V3");
        OfferFulfilment.CreditPoints(member, "seed", "seed", 50_000, _options, Noon);

        var redeemed = RedemptionPolicy.Redeem(member, "r1", 20_000, 100m, "R-KETTLE", _options, Noon, pointValue: 0.0110m);
        Assert.Equal(220.00m, redeemed.PointsValue);
        Assert.Contains("(220.00 CNY)", Assert.Single(redeemed.NewEntries).Reason, StringComparison.Ordinal);

        // Outside the ±20% band the configured value stands (the admin API never sets one).
        var outside = RedemptionPolicy.Redeem(member, "r2", 10_000, null, null, _options, Noon, pointValue: 0.0125m);
        Assert.Equal(100.00m, outside.PointsValue);
        Assert.Equal(100.00m, RedemptionPolicy.Redeem(member, "r3", 10_000, null, null, _options, Noon).PointsValue);
    }
}
