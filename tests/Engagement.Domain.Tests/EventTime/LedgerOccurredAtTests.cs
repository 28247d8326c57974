using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.EventTime;

/// <summary>
/// Each ledger entry carries when its change took effect (occurredAt) beside when the engine recorded it (at), so support
/// can answer "what changed on 28 Nov?" after a backlog or an offline POS upload (CONTRACT.md §1.1, §4 additive field).
/// </summary>
public class LedgerOccurredAtTests
{
    private static readonly DateTimeOffset Upload = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Sale = TestMember.Shanghai(2026, 11, 28, 10, 15);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void APurchaseUploadedDaysLateDatesItsPointsGrowthAndTierEntriesAtTheSale()
    {
        var member = new TestMember(Upload);

        var decision = member.Purchase("O-1", 1_200m, at: Sale, eventId: "pos-S001-1");

        Assert.Equal(
            [LedgerKinds.Points, LedgerKinds.Growth, LedgerKinds.Tier],
            decision.NewEntries.Select(e => e.Kind));
        Assert.All(decision.NewEntries, e =>
        {
            Assert.Equal(Upload, e.At);
            Assert.Equal(Sale, e.EffectiveOccurredAt);
            Assert.Equal(TimeSpan.Zero, e.OccurredAt!.Value.Offset);
        });
        Assert.All(member.State.Ledger, e => Assert.Equal(Sale, e.EffectiveOccurredAt));
    }

    [Fact]
    public void ARefundHeldForItsPurchaseIsDatedAtTheRefundNotAtThePurchaseThatReleasedIt()
    {
        var member = new TestMember(Upload);
        var refundAt = Sale.AddDays(1);

        member.Refund("O-1", 200m, at: refundAt, eventId: "refund-1");
        var decision = member.Purchase("O-1", 500m, at: Sale, eventId: "sale-1");

        Assert.All(decision.NewEntries.Where(e => e.EventId == "refund-1"), e => Assert.Equal(refundAt, e.EffectiveOccurredAt));
        Assert.Contains(decision.NewEntries, e => e.EventId == "refund-1" && e.RuleId == RuleIds.PointsRefund);
        Assert.All(decision.NewEntries.Where(e => e.EventId == "sale-1"), e => Assert.Equal(Sale, e.EffectiveOccurredAt));
    }

    [Fact]
    public void TheCouponAndPointsALatePurchasesTierMoveGrantsAreDatedAtTheSale()
    {
        // The member bought 300 CNY an hour ago; the POS uploads its 1,000 CNY sale of 28 Nov, which lifts it to V2 on its own.
        var member = new TestMember(Upload);
        member.Purchase("O-now", 300m, at: Upload.AddHours(-1));
        var late = member.Purchase("O-late", 1_000m, at: Sale);
        Assert.Equal("V2", member.Tier);
        Assert.Equal(Sale, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);

        // A campaign for V2 members the purchase fired grants now (the grain's campaign side), dated at the sale.
        var effective = OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), ["V2"])!.Value;
        Assert.Equal((Sale, TimeSpan.Zero), (effective, effective.Offset));
        var offers = new OffersOptions { CouponSecret = Offers.CouponTestKit.Secret };
        var points = OfferFulfilment.Campaign(member.State, "v2-points", OfferFulfilment.PointsKind, "V2PTS", 5m, 500, null, offers, member.Options, Upload, effective);
        var coupon = OfferFulfilment.Campaign(member.State, "v2-coupon", OfferFulfilment.CouponKind, "V2CPN", 20m, null, null, offers, member.Options, Upload, effective);

        Assert.NotNull(coupon.CouponCode);
        var credited = Assert.Single(points.Entries);
        var issued = Assert.Single(member.State.Ledger, e => e.RuleId == MemberCoupons.IssueRule);
        foreach (var granted in new[] { credited, issued })
        {
            Assert.Equal((Upload, Sale), (granted.At, granted.EffectiveOccurredAt));
            Assert.Equal(TimeSpan.Zero, granted.OccurredAt!.Value.Offset);
        }

        // What is granted runs from its grant: the lot 12 months from now, the coupon valid from now.
        Assert.Equal(Upload, Assert.Single(member.State.Orders, o => o.OrderId == OfferFulfilment.PointsLotPrefix + "campaign:v2-points").At);
        Assert.Equal(Upload, MemberCoupons.Book(member.State).Find(coupon.CouponCode!)!.IssuedAt);
    }

    [Fact]
    public void ALatePurchaseThatOnlyCompletesALaterOnesGrowthMovesTheTierWhenTheLaterOneWasMade()
    {
        // 300 CNY an hour ago, then the upload of 900 CNY on 28 Nov: in event time the member reached 1,000 an hour ago.
        var member = new TestMember(Upload);
        var reached = Upload.AddHours(-1);
        member.Purchase("O-now", 300m, at: reached);
        var late = member.Purchase("O-late", 900m, at: Sale);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(reached, member.State.TierSince);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal(reached, move.EffectiveOccurredAt);
        Assert.Equal(move, member.State.Ledger.Single(e => e.Sequence == move.Sequence));
        Assert.All(late.NewEntries.Where(e => e.Kind != LedgerKinds.Tier), e => Assert.Equal(Sale, e.EffectiveOccurredAt));
        Assert.Equal(reached, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), ["V2"]));

        // A campaign whose audience names no tier was fulfilled by the sale itself, not by the move: dated at the sale.
        Assert.Equal(Sale, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), []));
    }

    [Fact]
    public void ALatePurchaseWhoseHeldRefundDropsTheTierAgainDatesItsGrantsAtTheSale()
    {
        // 300 CNY an hour ago; the refund of O-late (made 29 Nov) arrives first and waits; then the POS uploads O-late's
        // 1,000 CNY sale of 28 Nov. Applied together: up to V2 with the sale, down again with the refund (tierSince: the
        // refund's recording). The event's last move is no upgrade, so a campaign it fires is dated at the sale.
        var member = new TestMember(Upload);
        member.Purchase("O-now", 300m, at: Upload.AddHours(-1));
        member.Refund("O-late", 1_000m, at: Sale.AddDays(1));

        var late = member.Purchase("O-late", 1_000m, at: Sale);

        Assert.Equal("V1", member.Tier);
        Assert.Equal([RuleIds.TierUpgrade, RuleIds.TierDowngradeRefund], late.TierChanges.Select(c => c.RuleId));
        Assert.True(member.State.TierSince > Sale);
        Assert.Null(OfferFulfilment.TierReachedAt(late));
        Assert.Equal(Sale, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), ["V2"]));
    }

    [Fact]
    public void ALatePurchaseWhoseTierHasAgedOutSinceDatesTheMoveWhenTheLaterPurchaseCompletedIt()
    {
        // A 30-day growth window. B 900 CNY on 2026-01-20 (V1); on 02-15 the POS uploads L 100 CNY of 01-10. In order the
        // member reached V2 with B (1,000 growth on 01-20); L has aged out since (02-09) and it is on V2's grace: the move
        // and its tierSince read 01-20, when the member reached V2, not L's day.
        var reached = TestMember.Shanghai(2026, 1, 20);
        var member = new TestMember(reached);
        member.Options.GrowthWindowDays = 30;
        member.Purchase("O-B", 900m);
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 2, 15);
        var saleL = TestMember.Shanghai(2026, 1, 10);

        var late = member.Purchase("O-L", 100m, at: saleL);

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 11, 0, 0)), (member.Tier, member.Summary.TierGraceUntil));
        Assert.Equal(reached, member.State.TierSince);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, reached), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Equal(reached, member.State.Ledger.Single(e => e.Sequence == move.Sequence).EffectiveOccurredAt);
        Assert.All(late.NewEntries.Where(e => e.Kind != LedgerKinds.Tier), e => Assert.Equal(saleL, e.EffectiveOccurredAt));
    }

    [Fact]
    public void AnExpiryIsDatedAtTheLotsExpiryAndARedemptionAtItsOwnRecording()
    {
        var member = new TestMember(Sale);
        member.Purchase("O-1", 300m, at: Sale);
        var expires = Assert.Single(member.State.Orders).ExpiresAt;
        member.Now = expires.AddDays(3);

        var login = member.Behave(MemberEventTypes.Login, at: member.Now.AddHours(-1));

        var expiry = Assert.Single(login.NewEntries, e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal(expires, expiry.EffectiveOccurredAt);
        var growth = Assert.Single(login.NewEntries, e => e.Kind == LedgerKinds.Growth);
        Assert.Equal(member.Now.AddHours(-1), growth.EffectiveOccurredAt);

        member.Purchase("O-2", 300m, at: member.Now.AddMinutes(-5));
        var redeemed = member.Redeem("R-1", 100);
        var entry = Assert.Single(redeemed.NewEntries);
        Assert.Null(entry.OccurredAt);
        Assert.Equal(entry.At, entry.EffectiveOccurredAt);
    }

    [Fact]
    public void StoredStateKeepsOccurredAtAsANinthFieldWhenTheEntryHasOne()
    {
        var entry = new LedgerEntry
        {
            Sequence = 3, At = Upload, Kind = LedgerKinds.Points, Delta = 5, BalanceAfter = 5, Reason = "r", RuleId = RuleIds.PointsEarn,
            OccurredAt = Sale.ToUniversalTime(),
        };

        var json = JsonSerializer.Serialize(entry, Web);

        Assert.Equal("[3,\"2026-12-05T02:00:00+00:00\",\"points\",5,5,\"r\",\"points.earn\",null,\"2026-11-28T02:15:00+00:00\"]", json);
        Assert.Equal(entry, JsonSerializer.Deserialize<LedgerEntry>(json, Web));
        Assert.Equal("[3,\"2026-12-05T02:00:00+00:00\",\"points\",5,5,\"r\",\"points.earn\"]", JsonSerializer.Serialize(entry with { OccurredAt = null }, Web));
    }

    [Fact]
    public void AnEntryStoredBeforeOccurredAtExistedAnswersItsAt()
    {
        var stored = "[7,\"2026-11-23T08:39:16+08:00\",\"growth\",148,148,\"purchase O-1\",\"growth.purchase\",\"e-1\"]";

        var entry = JsonSerializer.Deserialize<LedgerEntry>(stored, Web)!;

        Assert.Null(entry.OccurredAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 39, 16, TimeSpan.FromHours(8)), entry.EffectiveOccurredAt);
    }

    [Fact]
    public void ALateUpgradeFollowedByAGraceDowngradeInTheSameEventKeepsItsReachForATierCampaign()
    {
        // Reassess after the late upgrade found the tier aged out since and started the grace drop: the member did hold V2
        // from the reach, so a V2 campaign the event fires is dated then; a refund drop after it would undo the reach.
        var reached = Sale.AddDays(3);
        var up = new TierChange("V1", "V2", RuleIds.TierUpgrade, Upload, "late") { ReachedAt = reached };
        var grace = new TierChange("V2", "V1", RuleIds.TierDowngradeGrace, Upload, "aged out");
        var drop = new TierChange("V2", "V1", RuleIds.TierDowngradeRefund, Upload, "refund");

        Assert.Equal(reached, OfferFulfilment.TierReachedAt(new EventDecision { Status = EventStatus.Applied, TierChanges = [up, grace] }));
        Assert.Equal(reached, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(new EventDecision { TierChanges = [up, grace] }), ["V2"]));
        Assert.Null(OfferFulfilment.TierReachedAt(new EventDecision { TierChanges = [up, drop] }));
        Assert.Null(OfferFulfilment.TierReachedAt(new EventDecision { TierChanges = [grace] }));
    }

    [Fact]
    public void AGrantForAnAudienceThatAlreadyHeldTheOldTierIsDatedAtTheSaleNotAtTheReach()
    {
        // V1 → V2 reached three days after the sale; a campaign for V1 and V2 members already took the member on V1, so the
        // move did not bring its grant about: dated at the sale. One for V2 only is dated at the reach.
        var reached = Sale.AddDays(3);
        var late = new EventDecision { TierChanges = [new TierChange("V1", "V2", RuleIds.TierUpgrade, Upload, "late") { ReachedAt = reached }] };

        Assert.Equal("V1", OfferFulfilment.TierReachedFrom(late));
        Assert.Equal(Sale, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), ["V1", "V2"], OfferFulfilment.TierReachedFrom(late)));
        Assert.Equal(reached, OfferFulfilment.EffectiveAt(Sale, OfferFulfilment.TierReachedAt(late), ["V2"], OfferFulfilment.TierReachedFrom(late)));
    }
}
