using Engagement.Domain.Ledger;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

public class MemberEngineTests
{
    [Fact]
    public void SameEventIdTwiceIsADuplicateAndChangesNothing()
    {
        var member = new TestMember();
        member.Behave(MemberEventTypes.Share, eventId: "s-1");

        var again = member.Behave(MemberEventTypes.Share, eventId: "s-1");

        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.False(again.StateChanged);
        Assert.Empty(again.NewEntries);
        Assert.Equal(5, member.Growth);
        Assert.Equal(1, member.State.Behaviour["share"]);
    }

    [Fact]
    public void AShareReplayedAfterBrowsesPushedItsIdOutOfTheIdWindowIsStillADuplicate()
    {
        var member = new TestMember();
        member.Options.MaxRememberedEventIds = 4;
        member.Options.RecentEventIdsKept = 4;
        member.Behave(MemberEventTypes.Share, eventId: "s1");
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Browse);
        }

        var again = member.Behave(MemberEventTypes.Share, eventId: "s1");

        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.Empty(again.NewEntries);
        Assert.Equal(5, member.Growth);
        Assert.Equal(1, member.State.Behaviour["share"]);
    }

    [Fact]
    public void APurchaseUnderAPointsGrantsLotIdIsRefusedAndTheGrantStillCredits()
    {
        var member = new TestMember();

        var purchase = member.Purchase("offer|G1", 100m);
        var grant = Engagement.Domain.Offers.OfferFulfilment.CreditPoints(member.State, "G1", "campaign C1", 100, member.Options, member.Now);

        Assert.Equal(EventStatus.Rejected, purchase.Status);
        Assert.StartsWith("orderId:", purchase.Reason, StringComparison.Ordinal);
        Assert.Equal(100, grant.Points);
        Assert.Equal(100, member.Balance);
    }

    [Fact]
    public void RecentEventIdsAreBoundedOldestForgottenFirst()
    {
        var member = new TestMember();
        member.Options.RecentEventIdsKept = 3;

        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            member.Behave(MemberEventTypes.Browse, eventId: id);
        }

        Assert.Equal(["b", "c", "d"], member.State.RecentEventIds);
        Assert.Equal(EventStatus.Duplicate, member.Behave(MemberEventTypes.Browse, eventId: "d").Status);
    }

    [Theory]
    [InlineData("", MemberEventTypes.Browse)]
    [InlineData("e-1", "teleport")]
    public void MalformedEventIsRejectedWithoutTouchingTheState(string eventId, string type)
    {
        var member = new TestMember();

        var decision = member.Apply(new MemberEvent(eventId, type, member.Now));

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.False(decision.StateChanged);
        Assert.False(member.Summary.HasBeenSeen);
    }

    [Fact]
    public void FirstEventMakesTheMemberSeenAndSetsRegisteredAtUntilARegisterEventSaysOtherwise()
    {
        var member = new TestMember();
        Assert.False(member.Summary.HasBeenSeen);

        member.Behave(MemberEventTypes.Browse, at: TestMember.Shanghai(2025, 1, 10, 9));
        Assert.True(member.Summary.HasBeenSeen);
        Assert.Equal(TestMember.Shanghai(2025, 1, 10, 9), member.Summary.RegisteredAt);

        member.Behave(MemberEventTypes.Register, at: TestMember.Shanghai(2025, 1, 10, 8));
        member.Behave(MemberEventTypes.Register, at: TestMember.Shanghai(2025, 1, 10, 11));

        Assert.Equal(TestMember.Shanghai(2025, 1, 10, 8), member.Summary.RegisteredAt);
    }

    [Fact]
    public void RegionFromAnyEventUpdatesTheMember()
    {
        var member = new TestMember();

        member.Apply(new MemberEvent("e-1", MemberEventTypes.Browse, member.Now) { RegionId = "east" });
        member.Apply(new MemberEvent("e-2", MemberEventTypes.Login, member.Now) { RegionId = "north" });
        member.Apply(new MemberEvent("e-3", MemberEventTypes.Browse, member.Now));

        Assert.Equal("north", member.Summary.RegionId);
    }

    [Fact]
    public void ComplaintIsCountedButIsNotActivity()
    {
        var member = new TestMember();
        member.Behave(MemberEventTypes.Browse, at: TestMember.Shanghai(2025, 1, 10, 9));

        member.Behave(MemberEventTypes.Complaint, at: TestMember.Shanghai(2025, 1, 10, 10));

        Assert.Equal(TestMember.Shanghai(2025, 1, 10, 9), member.Summary.LastActivityAt);
        Assert.Equal(1, member.Summary.Behaviour["complaint"]);
    }

    [Fact]
    public void BehaviourCountersCountEveryBehaviourType()
    {
        var member = new TestMember();
        member.Purchase("O-1", 10m);
        member.Refund("O-1", 1m);
        foreach (var type in new[] { MemberEventTypes.Browse, MemberEventTypes.AddToCart, MemberEventTypes.Share, MemberEventTypes.Review, MemberEventTypes.Complaint, MemberEventTypes.Login })
        {
            member.Behave(type);
        }

        member.UpdateProfile(("phone", "13800000000"));

        Assert.Equal(MemberEventTypes.Behaviour.Order(StringComparer.Ordinal), member.Summary.Behaviour.Keys.Order(StringComparer.Ordinal));
        Assert.All(member.Summary.Behaviour.Values, v => Assert.Equal(1, v));
    }

    [Fact]
    public void ProfileUpdateStoresBirthdayZonePhoneConsentAndTags()
    {
        var member = new TestMember();

        var decision = member.UpdateProfile(
            ("birthday", "1990-07-15"),
            ("timeZone", "Europe/Paris"),
            ("phone", "+86 138 0000 0000"),
            ("consent.sms", "false"),
            ("consent.push", "TRUE"),
            ("tags", "vip, skincare,vip,,"));

        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Null(decision.Reason);
        var summary = member.Summary;
        Assert.Equal(new DateOnly(1990, 7, 15), summary.Birthday);
        Assert.Equal("Europe/Paris", summary.TimeZone);
        Assert.Equal("+86 138 0000 0000", summary.Phone);
        Assert.False(summary.Consent["sms"]);
        Assert.True(summary.Consent["push"]);
        Assert.Equal(["vip", "skincare"], summary.Tags);
    }

    [Fact]
    public void ATagLongerThanSixtyFourCodePointsIsNotKeptAndIsNoted()
    {
        var member = new TestMember();
        var longest = new string('客', ProfilePolicy.MaxTagLength);
        var tooLong = longest + "客";

        var decision = member.UpdateProfile(("tags", $"vip,{tooLong},{longest}"));

        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Equal(["vip", longest], member.Summary.Tags);
        Assert.Contains("not added: 65 characters, at most 64", decision.Reason, StringComparison.Ordinal);

        // Counted in code points: 64 emoji (two UTF-16 units each) is a tag of 64.
        var emoji = string.Concat(Enumerable.Repeat("😀", ProfilePolicy.MaxTagLength));
        member.UpdateProfile(("tags", emoji));
        Assert.Contains(emoji, member.Summary.Tags);
    }

    [Fact]
    public void ProfileUpdateKeepsTheValidFieldsAndNotesTheInvalidOnes()
    {
        var member = new TestMember();

        var decision = member.UpdateProfile(
            ("birthday", "15/07/1990"),
            ("timeZone", "Mars/Olympus_Mons"),
            ("consent.call", "maybe"),
            ("phone", "123"));

        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Contains("birthday", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("timeZone", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("consent.call", decision.Reason, StringComparison.Ordinal);
        Assert.Equal("123", member.Summary.Phone);
        Assert.Null(member.Summary.Birthday);
        Assert.Equal("Asia/Shanghai", member.Summary.TimeZone);
        Assert.Empty(member.Summary.Consent);
    }

    [Fact]
    public void LedgerSequenceKeepsRisingWhileTheStateKeepsOnlyTheNewestEntries()
    {
        var member = new TestMember();
        member.Options.LedgerEntriesKept = 4;

        for (var i = 0; i < 5; i++)
        {
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 10m);
        }

        Assert.Equal(4, member.State.Ledger.Count);
        Assert.Equal([7L, 8L, 9L, 10L], member.State.Ledger.Select(e => e.Sequence));
        Assert.Equal(11, member.State.NextSequence);
    }

    [Fact]
    public void DecisionCarriesEveryNewEntryEvenWhenTheStateTrimsThem()
    {
        var member = new TestMember();
        member.Options.LedgerEntriesKept = 1;

        var decision = member.Purchase("O-1", 1_000m);

        Assert.Equal(3, decision.NewEntries.Count);
        Assert.Single(member.State.Ledger);
    }

    [Fact]
    public void SummaryShowsTheLiveView()
    {
        var member = new TestMember();
        member.Apply(new MemberEvent("e-0", MemberEventTypes.Register, member.Now) { RegionId = "east" });
        member.Purchase("O-1", 1_000m);

        var summary = member.Summary;

        Assert.Equal("M000123", summary.MemberId);
        Assert.Equal("V2", summary.Tier);
        Assert.Equal(member.Now, summary.TierSince);
        Assert.Equal(1_000, summary.GrowthValue);
        Assert.Equal(2_000, summary.PointsBalance);
        Assert.Equal(20.00m, summary.PointsValue);
        Assert.Equal("O-1", Assert.Single(summary.PointsLots).LotId);
        Assert.Equal(member.Now, summary.LastActivityAt);
        Assert.Equal("birthday-coupon", Assert.Single(summary.Benefits).Code);
        Assert.Equal("512", summary.Rfm.Score);
        Assert.Equal("east", summary.RegionId);
        Assert.Equal("Asia/Shanghai", summary.TimeZone);
    }

    [Fact]
    public void OrdersBeyondTheCountCapAreForgottenOldestFirstOnceTheirPointsAreGoneAndTheirGrowthStays()
    {
        var member = new TestMember();
        member.Options.MaxOrders = 3;
        for (var i = 0; i < 5; i++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 10).AddHours(i);
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 100m);
        }

        Assert.Equal(5, member.State.Orders.Count);
        member.Redeem("R-1", 300);
        member.Behave(MemberEventTypes.Browse);

        Assert.Equal(["O-2", "O-3", "O-4"], member.State.Orders.Select(o => o.OrderId));
        Assert.Equal(500, member.Growth);
        Assert.Equal(300, member.Balance);
    }

    [Fact]
    public void OrdersTheCountCapSummarisedStillCountInRfmFrequencyAndMonetary()
    {
        var member = new TestMember();
        member.Options.MaxOrders = 3;
        for (var i = 0; i < 5; i++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 10).AddHours(i);
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 100m);
        }

        member.Redeem("R-1", 300);
        Assert.Equal(3, member.State.Orders.Count);
        Assert.Equal(2, member.State.OrderSummaries.Count);

        var rfm = Engagement.Domain.Rfm.RfmScorer.Score(member.State, member.Options, member.Now);
        Assert.Equal((5, 500m), (rfm.Frequency, rfm.Monetary));
    }

    [Fact]
    public void AnOrderTheCountCapTookOutIsStillADuplicateAndStillRefundableWithinItsRetention()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Options.MaxOrders = 3;
        for (var i = 0; i < 5; i++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 10).AddHours(i);
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 100m, eventId: "p-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // O-0 (the first purchase, double points: 200) and O-1 (100) are spent, then taken out by the count cap.
        member.Redeem("R-1", 300);
        member.Behave(MemberEventTypes.Browse);
        Assert.Equal(["O-2", "O-3", "O-4"], member.State.Orders.Select(o => o.OrderId));
        Assert.Equal(["O-0", "O-1"], member.State.OrderSummaries.Select(o => o.OrderId));
        Assert.Equal((500, 300), (member.Growth, member.Balance));

        // 31 days on, past the 30-day id window: the re-sent first purchase is still a duplicate.
        member.Now = TestMember.Shanghai(2025, 2, 10, 12);
        var again = member.Purchase("O-0", 100m, at: TestMember.Shanghai(2025, 1, 10), eventId: "p-0");
        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.Empty(again.NewEntries);
        Assert.Equal((500, 300), (member.Growth, member.Balance));

        // A refund of half of O-0 reverses half its 200 points (from the other lots: its own was spent) and 50 growth.
        var refund = member.Refund("O-0", 50m, eventId: "r-0");
        Assert.Equal(EventStatus.Applied, refund.Status);
        Assert.Equal(-100, Assert.Single(refund.NewEntries, e => e.RuleId == RuleIds.PointsRefund).Delta);
        Assert.Equal(-50, Assert.Single(refund.NewEntries, e => e.RuleId == RuleIds.GrowthRefund).Delta);
        Assert.Equal((450, 200), (member.Growth, member.Balance));
        Assert.Equal(["O-2", "O-3", "O-4"], member.State.Orders.Select(o => o.OrderId));
        Assert.Equal((50m, 100L), (member.State.OrderSummaries[0].Refunded, member.State.OrderSummaries[0].PointsReversed));

        // Its retry is a duplicate; the rest of the order refunds what is left, exactly.
        Assert.Equal(EventStatus.Duplicate, member.Refund("O-0", 50m, eventId: "r-0").Status);
        Assert.Equal(EventStatus.Applied, member.Refund("O-0", 50m, eventId: "r-1").Status);
        Assert.Equal((400, 100), (member.Growth, member.Balance));

        // The summary survives a write, and is dropped at the end of the order's retention.
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var json = System.Text.Json.JsonSerializer.Serialize(member.State, web);
        Assert.Contains("\"orderSummaries\":[[\"O-0\",", json, StringComparison.Ordinal);
        var back = System.Text.Json.JsonSerializer.Deserialize<MemberState>(json, web)!;
        Assert.Equal((100m, 200L, 2), (back.OrderSummaries[0].Refunded, back.OrderSummaries[0].PointsReversed, back.OrderSummaries[0].RefundEventIds!.Count));

        // A summary of a foreign-currency order with expired points keeps every field, decimal scale included.
        var foreign = new MemberState { MemberId = "M-F" };
        foreign.OrderSummaries.Add(new Engagement.Domain.Orders.OrderSummary
        {
            OrderId = "O-USD", At = TestMember.Shanghai(2025, 1, 9), Amount = 268.40m, Points = 268, Refunded = 72.35m, PointsReversed = 72, Expired = 5,
            RefundEventIds = ["r-usd"], Foreign = new Engagement.Domain.Orders.ForeignAmount { Currency = "USD", Amount = 37.10m, Rate = 7.2345m, Refunded = 10.00m },
        });
        var foreignJson = System.Text.Json.JsonSerializer.Serialize(foreign, web);
        Assert.Contains("[\"O-USD\",\"2025-01-09T12:00:00+08:00\",268.40,268,72.35,72,5,[\"r-usd\"],[\"USD\",37.10,7.2345,10.00]]", foreignJson, StringComparison.Ordinal);
        var foreignBack = Assert.Single(System.Text.Json.JsonSerializer.Deserialize<MemberState>(foreignJson, web)!.OrderSummaries);
        Assert.Equal(
            ("O-USD", TestMember.Shanghai(2025, 1, 9), "268.40", 268L, "72.35", 72L, 5L, "r-usd"),
            (foreignBack.OrderId, foreignBack.At, foreignBack.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), foreignBack.Points,
                foreignBack.Refunded.ToString(System.Globalization.CultureInfo.InvariantCulture), foreignBack.PointsReversed, foreignBack.Expired, Assert.Single(foreignBack.RefundEventIds!)));
        Assert.Equal(
            ("USD", "37.10", "7.2345", "10.00"),
            (foreignBack.Foreign!.Currency, foreignBack.Foreign.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                foreignBack.Foreign.Rate.ToString(System.Globalization.CultureInfo.InvariantCulture), foreignBack.Foreign.Refunded.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(foreignJson, System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonSerializer.Deserialize<MemberState>(foreignJson, web), web));
        member.Now = TestMember.Shanghai(2026, 2, 15);
        member.Behave(MemberEventTypes.Browse);
        Assert.Empty(member.State.OrderSummaries);
        Assert.Equal(0, member.State.OrderSummariesDropped);
    }

    [Fact]
    public void APointsGrantOrAdjustmentWhoseSpentLotTheCountCapTookOutIsNotCreditedAgain()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Options.MaxOrders = 1;

        // Neither the readable recent ids nor the ledger remember A1 by then: only what its lot left can.
        member.Options.RecentEventIdsKept = 1;
        member.Options.LedgerEntriesKept = 1;
        Engagement.Domain.Offers.OfferFulfilment.CreditPoints(member.State, "G1", "campaign C1", 100, member.Options, member.Now);
        Engagement.Domain.Points.AdjustmentPolicy.Apply(member.State, "A1", "points", 50, "goodwill", member.Options, member.Now);
        member.Redeem("R-1", 150);
        member.Now = TestMember.Shanghai(2025, 1, 10, 13);
        member.Purchase("O-1", 100m); // first purchase: 200 points; the two spent lots leave the full list
        member.Behave(MemberEventTypes.Browse);
        Assert.Equal(["O-1"], member.State.Orders.Select(o => o.OrderId));
        Assert.DoesNotContain("adjustment|A1", member.State.RecentEventIds);
        Assert.DoesNotContain(member.State.Ledger, e => e.EventId == "adjustment|A1");

        // Past the 30-day id window only the lots' summaries remember them.
        member.Now = TestMember.Shanghai(2025, 2, 12);
        var grant = Engagement.Domain.Offers.OfferFulfilment.CreditPoints(member.State, "G1", "campaign C1", 100, member.Options, member.Now);
        var adjustment = Engagement.Domain.Points.AdjustmentPolicy.Apply(member.State, "A1", "points", 50, "goodwill", member.Options, member.Now);

        Assert.Equal((0L, "already credited"), (grant.Points, grant.Detail));
        Assert.Equal(Engagement.Domain.Points.AdjustmentStatuses.Replayed, adjustment.Status);
        Assert.Equal(200, member.Balance);
    }

    [Theory]
    [InlineData(1)] // F summarised by the count cap before the late purchase arrives
    [InlineData(500)] // F kept in full: the answer the summary must give too
    public void ALatePurchaseRepricesASummarisedOrderAsItWouldAKeptOne(int maxOrders)
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Options.MaxOrders = maxOrders;
        member.Purchase("F", 100m); // the first purchase: 200 points
        member.Redeem("R-1", 200);
        member.Now = TestMember.Shanghai(2025, 1, 11);
        member.Purchase("O2", 100m);
        Assert.Equal(maxOrders == 1, member.State.OrderSummaries.Exists(s => s.OrderId == "F"));

        // L, a day before F, arrives late: it is the first purchase now, and F loses its double (CONTRACT.md §1.1).
        var late = member.Purchase("L", 100m, at: TestMember.Shanghai(2025, 1, 9));

        Assert.Equal(EventStatus.Applied, late.Status);
        Assert.Equal(200, Assert.Single(late.NewEntries, e => e.RuleId == RuleIds.PointsEarnFirstPurchaseDouble).Delta);
        var correction = Assert.Single(late.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(-100, correction.Delta);
        Assert.Contains("purchase F earns 100 points", correction.Reason, StringComparison.Ordinal);
        Assert.Equal((200L, 0L), (member.Balance, member.State.PointsDebt));
        Assert.Equal(300, member.Growth);

        // F, spent, goes back to its summary with its new points; a re-sent L changes nothing.
        Assert.Equal(maxOrders == 1 ? 100L : (long?)null, member.State.OrderSummaries.Find(s => s.OrderId == "F")?.Points);
        Assert.Equal(EventStatus.Duplicate, member.Purchase("L", 100m, at: TestMember.Shanghai(2025, 1, 9)).Status);
        Assert.Equal((200L, 300L), (member.Balance, member.Growth));
    }

    [Fact]
    public void PastTheSummaryCapTheOldestSummaryIsDroppedAndCounted()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Options.MaxOrders = 1;
        member.Options.MaxOrderSummaries = 2;
        for (var i = 0; i < 4; i++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 10).AddHours(i);
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 100m);
            member.Redeem("R-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), member.Balance);
        }

        member.Behave(MemberEventTypes.Browse);

        Assert.Equal(["O-3"], member.State.Orders.Select(o => o.OrderId));
        Assert.Equal(["O-1", "O-2"], member.State.OrderSummaries.Select(o => o.OrderId));
        Assert.Equal(1, member.State.OrderSummariesDropped);
        Assert.Equal(400, member.Growth);
    }

    [Fact]
    public void OrdersPastTheRetentionWindowAreForgotten()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 100m);
        member.Now = TestMember.Shanghai(2026, 2, 15);

        var browse = member.Behave(MemberEventTypes.Browse);

        Assert.Contains(browse.NewEntries, e => e.RuleId == RuleIds.PointsExpire);
        Assert.Empty(member.State.Orders);
        Assert.Equal(EventStatus.Held, member.Refund("O-1", 10m).Status);
    }
}
