using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

public class AdjustmentPolicyTests
{
    [Fact]
    public void PointsAdjustmentAddsALotThatExpiresLikeAPurchaseWritesTheReasonAndIsAppliedOnce()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var first = AdjustmentPolicy.Apply(member.State, "adj-1", "points", 50, "late parcel", member.Options, member.Now);
        var again = AdjustmentPolicy.Apply(member.State, "adj-1", "points", 50, "late parcel", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Applied, first.Status);
        Assert.Equal(250, first.BalanceAfter);
        var entry = Assert.Single(first.NewEntries);
        Assert.Equal((LedgerKinds.Points, 50L, 250L, AdjustmentPolicy.PointsRule), (entry.Kind, entry.Delta, entry.BalanceAfter, entry.RuleId));
        Assert.Contains("late parcel", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(AdjustmentStatuses.Replayed, again.Status);
        Assert.Empty(again.NewEntries);
        Assert.Equal(250, member.Balance);
        var lot = Assert.Single(PointsWallet.Lots(member.State), l => l.Original == 50);
        Assert.Equal(member.Now.AddMonths(member.Options.PointsLifetimeMonths), lot.ExpiresAt);

        // A bonus lot is not a purchase: RFM frequency still counts one order.
        Assert.Equal(1, member.Summary.Rfm.Frequency);
    }

    [Theory]
    [InlineData("purchase")]
    [InlineData("login")]
    [InlineData("refund")]
    public void ABonusLotIsNotRepricedByALateEvent(string late)
    {
        // Goodwill points and a campaign's points offer are lots of amount 0: a late event's corrections re-price the
        // purchases after it, and once took those lots' points back as if they were purchases earning floor(0 × …) = 0.
        var member = new TestMember();
        member.Purchase("O-0", 100m, member.Now.AddDays(-2));
        AdjustmentPolicy.Apply(member.State, "adj-1", "points", 500, "goodwill", member.Options, member.Now);
        Engagement.Domain.Offers.OfferFulfilment.CreditPoints(member.State, "campaign:C1", "points offer", 300, member.Options, member.Now);
        member.Now = member.Now.AddMinutes(5);

        var decision = late switch
        {
            "purchase" => member.Purchase("O-1", 100m, member.Now.AddHours(-1)),
            "login" => member.Behave(Engagement.Domain.Members.MemberEventTypes.Login, member.Now.AddHours(-1)),
            _ => member.Refund("O-0", 50m, member.Now.AddHours(-1)),
        };

        Assert.DoesNotContain(decision.NewEntries, e => e.RuleId.EndsWith(".correction", StringComparison.Ordinal) && e.Delta < 0);
        var expected = 200 + 500 + 300 + late switch { "purchase" => 100, "login" => 0, _ => -100 };
        Assert.Equal(expected, member.Balance);
        Assert.Equal(500, Assert.Single(PointsWallet.Lots(member.State), l => l.Original == 500).Remaining);
    }

    [Fact]
    public void TakingMorePointsThanTheBalanceIsRefusedAndChangesNothing()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var decision = AdjustmentPolicy.Apply(member.State, "adj-2", "points", -201, "fraud", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Refused, decision.Status);
        Assert.Equal(200, member.Balance);
        Assert.Empty(decision.NewEntries);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-2", "points", -200, "fraud", member.Options, member.Now).Status);
        Assert.Equal(0, member.Balance);
    }

    [Fact]
    public void AnAdjustmentAfterALotExpiredButBeforeTheTickTakesOnlyFromLiveLotsAndStoresTheExpiry()
    {
        // Two lots a day apart (200 points, the first purchase doubled, and 50); an hour after the first expired, no tick
        // has removed it yet: the live balance is 50.
        var member = new TestMember();
        member.Purchase("O-1", 100m, member.Now);
        member.Purchase("O-2", 50m, member.Now.AddDays(1));
        var firstExpires = PointsWallet.Lots(member.State).Min(l => l.ExpiresAt);
        var at = firstExpires.AddHours(1);

        var tooMuch = AdjustmentPolicy.Apply(member.State, "adj-3", "points", -100, "duplicate order", member.Options, at);
        Assert.Equal(AdjustmentStatuses.Refused, tooMuch.Status);
        Assert.Equal(50, tooMuch.BalanceAfter);
        Assert.Equal(-200, Assert.Single(tooMuch.NewEntries).Delta); // the expiry: stored even though the adjustment is refused

        var taken = AdjustmentPolicy.Apply(member.State, "adj-4", "points", -50, "duplicate order", member.Options, at);
        Assert.Equal((AdjustmentStatuses.Applied, 0L), (taken.Status, taken.BalanceAfter));
        Assert.Equal(0, PointsWallet.Balance(member.State));
    }

    [Fact]
    public void GrowthAdjustmentMovesTheTierAtOnceAndAReusedIdWithAnotherDeltaIsAConflict()
    {
        var member = new TestMember();
        member.Purchase("O-1", 900m);

        var decision = AdjustmentPolicy.Apply(member.State, "adj-3", "growth", 100, "store opening", member.Options, member.Now);
        var conflict = AdjustmentPolicy.Apply(member.State, "adj-3", "growth", 99, "store opening", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Applied, decision.Status);
        Assert.Equal(1000, member.Growth);
        Assert.Equal("V2", member.Tier);
        Assert.Contains(decision.NewEntries, e => e.RuleId == AdjustmentPolicy.GrowthRule && e.Delta == 100);
        Assert.Contains(decision.NewEntries, e => e.RuleId == RuleIds.TierUpgrade);
        Assert.Equal(AdjustmentStatuses.Conflict, conflict.Status);
        Assert.Equal(1000, member.Growth);
        Assert.Equal(AdjustmentStatuses.Refused, AdjustmentPolicy.Apply(member.State, "adj-4", "growth", -1001, "x", member.Options, member.Now).Status);
    }

    [Fact]
    public void AReusedIdWithAnotherKindIsAConflictNotAReplayOfAChangeThatNeverHappened()
    {
        var member = new TestMember();
        member.Purchase("O-1", 900m);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-k", "points", 100, "goodwill", member.Options, member.Now).Status);

        var growth = AdjustmentPolicy.Apply(member.State, "adj-k", "growth", 100, "goodwill", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Conflict, growth.Status);
        Assert.Equal(900, member.Growth);
        Assert.Equal(AdjustmentStatuses.Replayed, AdjustmentPolicy.Apply(member.State, "adj-k", "points", 100, "goodwill", member.Options, member.Now).Status);
    }

    [Fact]
    public void AReusedIdWithAnotherDeltaIsAConflictAfterItsLedgerEntryLeftTheMembersStateAsLongAsItsLotIsKept()
    {
        var member = new TestMember();
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-t", "points", 100, "goodwill", member.Options, member.Now).Status);
        member.State.Ledger.Clear(); // as when newer entries pushed it out of the entries the member keeps

        Assert.Equal(AdjustmentStatuses.Conflict, AdjustmentPolicy.Apply(member.State, "adj-t", "points", 99, "goodwill", member.Options, member.Now).Status);
        Assert.Equal(AdjustmentStatuses.Replayed, AdjustmentPolicy.Apply(member.State, "adj-t", "points", 100, "goodwill", member.Options, member.Now).Status);
        Assert.Equal(100, member.Balance);
    }

    [Fact]
    public void ANegativeAdjustmentReusedWithAnotherKindAfterItsLedgerEntryLeftIsStillAConflict()
    {
        // A −50 points adjustment leaves no lot and no growth record; once its ledger entry is trimmed only its id is left.
        var member = new TestMember();
        member.Purchase("O-1", 900m);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-n", "points", -50, "correction", member.Options, member.Now).Status);
        member.State.Ledger.Clear();

        Assert.Equal(AdjustmentStatuses.Conflict, AdjustmentPolicy.Apply(member.State, "adj-n", "growth", 500, "x", member.Options, member.Now).Status);
        Assert.Equal(AdjustmentStatuses.Replayed, AdjustmentPolicy.Apply(member.State, "adj-n", "points", -50, "correction", member.Options, member.Now).Status);
        Assert.Equal(900, member.Growth);
    }

    [Fact]
    public void AGrowthAdjustmentCountsFromItsInstantNotFromTheStartOfItsDay()
    {
        // CONTRACT.md §1.1: the multiplier is the tier held at the purchase's occurredAt. An adjustment made at 15:00
        // lifts the tier from 15:00; a purchase made at 09:00 that same day and uploaded late earns at the tier before.
        var member = new TestMember(TestMember.Shanghai(2026, 11, 2, 10));
        member.Purchase("O-1", 900m, at: TestMember.Shanghai(2026, 11, 1, 10));
        member.Now = TestMember.Shanghai(2026, 11, 3, 15);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-5", "growth", 100, "goodwill", member.Options, member.Now).Status);
        Assert.Equal("V2", member.Tier);

        member.Now = TestMember.Shanghai(2026, 11, 3, 16);
        var before = member.Balance;
        member.Purchase("O-2", 50m, at: TestMember.Shanghai(2026, 11, 3, 9));
        Assert.Equal(50, member.Balance - before);

        // Still so once the adjustment is older than the days whose behaviour records are kept.
        member.Now = TestMember.Shanghai(2026, 11, 20, 16);
        member.Behave(MemberEventTypes.Browse);
        before = member.Balance;
        member.Purchase("O-3", 50m, at: TestMember.Shanghai(2026, 11, 3, 8));
        Assert.Equal(50, member.Balance - before);

        before = member.Balance;
        member.Purchase("O-4", 50m, at: TestMember.Shanghai(2026, 11, 3, 17));
        Assert.Equal(60, member.Balance - before);
        Assert.Equal(1150, member.Growth);
    }

    [Fact]
    public void GrowthAdjustmentsKeptWithTheirInstantAreBoundedAndTheOldestFoldWithoutChangingGrowth()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 11, 1, 10));
        for (var i = 0; i < AdjustmentPolicy.MaxAdjustmentRecords + 8; i++)
        {
            member.Now = member.Now.AddHours(5);
            Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, $"adj-{i}", "growth", 10 + i, "goodwill", member.Options, member.Now).Status);
        }

        var expected = Enumerable.Range(0, AdjustmentPolicy.MaxAdjustmentRecords + 8).Sum(i => 10L + i);
        Assert.Equal(AdjustmentPolicy.MaxAdjustmentRecords, member.State.BehaviourRecords.Count);
        Assert.Equal(expected, member.Growth);
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var recounted = System.Text.Json.JsonSerializer.Deserialize<MemberState>(System.Text.Json.JsonSerializer.Serialize(member.State, web), web)!;
        Assert.Equal(expected, Domain.Growth.GrowthPolicy.TrailingGrowth(recounted, member.Options, member.Now));
        Assert.Equal(AdjustmentPolicy.MaxAdjustmentRecords, recounted.BehaviourRecords.Count);
    }

    [Theory]
    [InlineData("points")]
    [InlineData("growth")]
    public void AnAdjustmentRetriedAfterManyOtherEventsIsReplayedNotAppliedAgain(string kind)
    {
        // CONTRACT.md §4: adjustments are idempotent. The readable list of recent ids keeps only the newest 64.
        var member = new TestMember(TestMember.Shanghai(2026, 11, 1, 10));
        member.Purchase("O-1", 100m);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "adj-7", kind, 300, "goodwill", member.Options, member.Now).Status);
        var (balance, growth) = (member.Balance, member.Growth);
        for (var i = 0; i < member.Options.RecentEventIdsKept + 10; i++)
        {
            member.Now = member.Now.AddMinutes(10);
            member.Behave(MemberEventTypes.Browse);
        }

        var retry = AdjustmentPolicy.Apply(member.State, "adj-7", kind, 300, "goodwill", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Replayed, retry.Status);
        Assert.Equal((balance, growth), (member.Balance, member.Growth));
    }

    // Support's one limit is the day's total: a single adjustment above it, on a fresh day, is past it alone.
    [Theory]
    [InlineData(1000, 1000, false)]
    [InlineData(-1000, 1000, false)]
    [InlineData(1001, 1000, true)]
    [InlineData(-1001, 1000, true)]
    public void SupportLimitIsInclusiveEitherWay(long delta, long limit, bool needsAdmin)
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));

        Assert.Equal(needsAdmin, SupportDeskLimit.Exceeds(member.State, "points", delta, limit, member.Options, member.Now) is not null);
    }
}
