using Engagement.Domain.Offers;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

public class CouponBookTests
{
    [Fact]
    public void WakeUpGiftExpiresAtTheStartOfTheLocalDayAfterItsFourteenDaysInShanghai()
    {
        var coupon = Issue(WakeUpGift);

        // Issued Mon 23 Nov 12:00 +08:00; 14 full days after the day of issue end at 8 Dec 00:00 Shanghai = 7 Dec 16:00 UTC.
        var expiry = new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal(expiry, coupon.ValidUntil);
        Assert.Equal(TimeSpan.FromHours(8), coupon.ValidUntil.Offset);

        var book = BookWith(coupon);
        var justBefore = book.Redeem(coupon.Code, "R1", At("S001", 50m), expiry.AddTicks(-1)).Outcome;
        var onTheInstant = book.Redeem(coupon.Code, "R1", At("S001", 50m), expiry).Outcome;

        Assert.True(justBefore.Accepted);
        Assert.Equal(20m, justBefore.Discount);
        Assert.Equal(CouponRefusals.Expired, onTheInstant.Refusal?.Reason);
        Assert.Contains("2026-12-08 00:00:00 +08:00", onTheInstant.Refusal!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiryFollowsTheMembersOwnZone()
    {
        var berlin = Engagement.Domain.Members.MemberTimeZones.TryFind("Europe/Berlin")!;
        var coupon = WakeUpGift.Issue("M1", "g1", Noon, berlin, Codes);

        // Noon in Shanghai is 05:00 in Berlin, the same local date; expiry is Berlin's midnight of 8 Dec (23:00 UTC 7 Dec).
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero), coupon.ValidUntil);
    }

    [Fact]
    public void ExpireDueMovesCouponsOnTheirExactInstantWithTheReason()
    {
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon);

        var (same, none) = book.ExpireDue(coupon.ValidUntil.AddTicks(-1));
        var (after, expired) = book.ExpireDue(coupon.ValidUntil);

        Assert.Empty(none);
        Assert.Same(book, same);
        var moved = Assert.Single(expired);
        Assert.Equal(CouponStatuses.Expired, moved.Status);
        Assert.Equal(coupon.ValidUntil, moved.StatusAt);
        Assert.Contains("validity ended", moved.StatusReason, StringComparison.Ordinal);
        Assert.Equal(CouponStatuses.Expired, after.Find(coupon.Code)!.Status);
        Assert.Null(after.NextExpiry);
        Assert.Equal(coupon.ValidUntil, book.NextExpiry);
    }

    [Fact]
    public void TheExpiryReminderIsDueThreeDaysBeforeTheExpiryInstant()
    {
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon);
        var reminderAt = coupon.ValidUntil.AddDays(-3);

        Assert.Empty(book.DueForExpiryReminder(reminderAt.AddTicks(-1), 3));
        Assert.Equal(coupon.Code, Assert.Single(book.DueForExpiryReminder(reminderAt, 3)).Code);
        Assert.Empty(book.DueForExpiryReminder(coupon.ValidUntil, 3));
        Assert.Empty(book.DueForExpiryReminder(reminderAt, 0));
        Assert.Equal(reminderAt, book.NextDueAfter(Noon, 3));
        Assert.Equal(coupon.ValidUntil, book.NextDueAfter(reminderAt, 3));
        Assert.Null(book.NextDueAfter(coupon.ValidUntil, 3));
    }

    [Fact]
    public void RedeemIsIdempotentByRedemptionIdAndASecondRedemptionIsRefusedAsUsed()
    {
        var coupon = Issue(WakeUpGift);
        var (book, first) = BookWith(coupon).Redeem(coupon.Code, "R1", At("S001", 80m), Noon.AddHours(1));
        var (again, replay) = book.Redeem(coupon.Code, "R1", At("S001", 80m), Noon.AddHours(2));
        var (_, other) = book.Redeem(coupon.Code, "R2", At("S001", 80m), Noon.AddHours(2));

        Assert.True(first.Accepted);
        Assert.Equal(CouponStatuses.Redeemed, first.Coupon!.Status);
        Assert.Equal("S001", first.Coupon.StoreId);
        Assert.True(replay.Accepted);
        Assert.True(replay.Replayed);
        Assert.Same(book, again);
        Assert.Equal(CouponRefusals.Used, other.Refusal?.Reason);
        Assert.Equal([CouponStatuses.Issued], first.Coupon.History.Select(h => h.From));
    }

    // docs/offers.md §5: "the same redemptionId again → replayed" is the same request retried; the same id from another
    // till is not, and must not have the coupon honoured twice. A replay answers the discount the redemption granted.
    [Fact]
    public void TheSameRedemptionIdFromAnotherStoreIsRefusedAsUsedAndAReplayAnswersTheDiscountGranted()
    {
        var percent = Issue(new CouponTemplate { OfferId = "p10", Kind = CouponKinds.Percent, Value = 10m, ValidDays = 7 });
        var (book, first) = BookWith(percent).Redeem(percent.Code, "R1", At("S001", 100m), Noon.AddHours(1));
        var (sameTill, replay) = book.Redeem(percent.Code, "R1", At("S001", 100m), Noon.AddHours(2));
        var (otherAmount, changed) = book.Redeem(percent.Code, "R1", At("S001", 1000m), Noon.AddHours(2));
        var (otherTill, other) = book.Redeem(percent.Code, "R1", At("S002", 300m), Noon.AddHours(2));

        Assert.Equal((true, false, 10m), (first.Accepted, first.Replayed, first.Discount));
        Assert.Equal((true, true, 10m), (replay.Accepted, replay.Replayed, replay.Discount));
        Assert.Same(book, sameTill);
        // The same id with another orderAmount is another request, not a retry (it was replayed as accepted): refused
        // naming the field, as a points redemption's is.
        Assert.Equal((CouponRefusals.RedemptionIdReused, false), (changed.Refusal?.Reason, changed.Accepted));
        Assert.StartsWith("orderAmount: ", changed.Refusal!.Detail, StringComparison.Ordinal);
        Assert.Same(book, otherAmount);
        Assert.False(other.Accepted);
        Assert.Equal((CouponRefusals.Used, 0m, false), (other.Refusal!.Reason, other.Discount, other.Replayed));
        Assert.Contains("S001", other.Refusal.Detail, StringComparison.Ordinal);
        Assert.Contains("S002", other.Refusal.Detail, StringComparison.Ordinal);
        Assert.Same(book, otherTill);
    }

    [Fact]
    public void ARegionScopedCouponIsRefusedWhenTheStoresRegionIsNotKnownNamingTheStore()
    {
        // No region (a store that never reported one, a till that sent none): never assumed to be one of the coupon's.
        var threshold = Issue(Spend500Get100, grant: "u");
        var book = BookWith(threshold);

        var refusal = book.Redeem(threshold.Code, "R", new CouponOrder(600m, "S-UNPLACED", null), Noon.AddHours(1)).Outcome.Refusal;

        Assert.Equal(CouponRefusals.WrongStore, refusal?.Reason);
        Assert.Contains("region of store 'S-UNPLACED' is not known", refusal!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EachRefusalNamesItsReason()
    {
        var threshold = Issue(Spend500Get100, grant: "t");
        var storeOnly = Issue(WakeUpGift with { Scope = new CouponScope { Stores = ["S001"] } }, grant: "s");
        var voided = Issue(WakeUpGift, grant: "v");
        var book = BookWith(threshold, storeOnly, voided);
        book = book.Void(voided.Code, "offer withdrawn", Noon).Book;
        var later = Noon.AddHours(1);

        Assert.Equal(CouponRefusals.BelowMinSpend, book.Redeem(threshold.Code, "R", At("S009", 499.99m), later).Outcome.Refusal?.Reason);
        Assert.True(book.Redeem(threshold.Code, "R", At("S009", 500m), later).Outcome.Accepted);
        Assert.Equal(CouponRefusals.WrongStore, book.Redeem(threshold.Code, "R", At("S009", 600m, region: "south"), later).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.WrongStore, book.Redeem(storeOnly.Code, "R", At("S002", 50m), later).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.Voided, book.Redeem(voided.Code, "R", At("S001", 50m), later).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.NotYetValid, book.Redeem(storeOnly.Code, "R", At("S001", 50m), Noon.AddTicks(-1)).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.NotFound, book.Redeem(Codes.CodeFor("M2", "s"), "R", At("S001", 50m), later).Outcome.Refusal?.Reason);
    }

    [Fact]
    public void GoodsTiedCouponsNeedTheGoodsAndTheOrdersItems()
    {
        var serum = Issue(WakeUpGift with { Scope = new CouponScope { Skus = ["SKU-SERUM"], Categories = ["skincare"] } });
        var book = BookWith(serum);

        var other = book.Redeem(serum.Code, "R", new CouponOrder(80m, "S1", "east", [new("SKU-TEA", "tea", 80m)]), Noon).Outcome;
        var byCategory = book.Redeem(serum.Code, "R", new CouponOrder(80m, "S1", "east", [new("SKU-CREAM", "skincare", 80m)]), Noon).Outcome;
        var noItems = book.Redeem(serum.Code, "R", new CouponOrder(80m, "S1", "east"), Noon).Outcome;
        var emptyItems = book.Redeem(serum.Code, "R", new CouponOrder(80m, "S1", "east", []), Noon).Outcome;

        Assert.Equal(CouponRefusals.NotApplicable, other.Refusal?.Reason);
        Assert.True(byCategory.Accepted);
        // Without the order's items a goods-tied coupon cannot be judged: refused, telling the till what to send (it was accepted on the whole order).
        Assert.Equal(CouponRefusals.NotApplicable, noItems.Refusal?.Reason);
        Assert.Contains("send the order's items", noItems.Refusal!.Detail, StringComparison.Ordinal);
        Assert.Equal(CouponRefusals.NotApplicable, emptyItems.Refusal?.Reason);
    }

    [Fact]
    public void AGoodsTiedPercentCouponDiscountsOnlyTheMatchingItemsTheSameAtTheTillAndOnThePurchase()
    {
        // 10% on SKU-X, minSpend 150 CNY: an order of 1000 CNY holding 2 × SKU-X at 100 and 800 CNY of other goods.
        var percent = Issue(new CouponTemplate { Kind = CouponKinds.Percent, Value = 10, MinSpend = 150m, ValidDays = 14, Scope = new CouponScope { Skus = ["SKU-X"] } });
        var book = BookWith(percent);
        var evt = new Engagement.Domain.Members.MemberEvent("E1", "purchase", Noon)
        {
            Amount = 1000m, OrderId = "O-1", StoreId = "S1",
            Items = [new("SKU-X", "tea", 2, 100m), new("SKU-Z", "cups", 1, 800m)],
        };
        var order = new CouponOrder(1000m, "S1", "east", CouponOrderLine.ItemsOf(evt, new Engagement.Domain.Program.ProgramOptions()));

        var atTill = book.Redeem(percent.Code, "R", order, Noon).Outcome;
        var onPurchase = book.ConfirmByPurchase(percent.Code, "O-1", order, Noon).Outcome;

        Assert.Equal((true, 20.00m), (atTill.Accepted, atTill.Discount));
        Assert.Equal((true, 20.00m), (onPurchase.Accepted, onPurchase.Discount));

        // minSpend counts the matching items only: 1 × SKU-X at 100 (order 1000) is below 150 on both paths.
        var small = new CouponOrder(1000m, "S1", "east", [new("SKU-X", "tea", 100m), new("SKU-Z", "cups", 900m)]);
        Assert.Equal(CouponRefusals.BelowMinSpend, book.Redeem(percent.Code, "R", small, Noon).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.BelowMinSpend, book.ConfirmByPurchase(percent.Code, "O-2", small, Noon).Outcome.Refusal?.Reason);
    }

    // A line is quantity × unitPrice, whose decimals the wire never limits: 3 × 166.6665 = 499.9995 CNY is below a minimum
    // spend of 500, not rounded up to 500.00 on the way; an exact line (3 × 200.5) is only written at the minor unit.
    [Fact]
    public void ALineWorthMoreDecimalsThanTheMinorUnitIsCountedExactlyNotRoundedUpToTheMinimumSpend()
    {
        var percent = Issue(new CouponTemplate { Kind = CouponKinds.Percent, Value = 10, MinSpend = 500m, ValidDays = 14, Scope = new CouponScope { Skus = ["SKU-X"] } });
        var book = BookWith(percent);
        var evt = new Engagement.Domain.Members.MemberEvent("E1", "purchase", Noon)
        {
            Amount = 1000m, OrderId = "O-1", StoreId = "S1",
            Items = [new("SKU-X", "tea", 3, 166.6665m), new("SKU-Z", "cups", 1, 500.0005m)],
        };
        var options = new Engagement.Domain.Program.ProgramOptions();
        var items = CouponOrderLine.ItemsOf(evt, options);
        var order = new CouponOrder(1000m, "S1", "east", items);

        Assert.Equal(499.9995m, items[0].Amount);
        Assert.Equal(CouponRefusals.BelowMinSpend, book.Redeem(percent.Code, "R", order, Noon).Outcome.Refusal?.Reason);
        Assert.Equal(CouponRefusals.BelowMinSpend, book.ConfirmByPurchase(percent.Code, "O-1", order, Noon).Outcome.Refusal?.Reason);
        Assert.Equal("601.50", Engagement.Domain.Orders.Money.ToProgramme(3 * 200.5m, options.Currency, options).Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // A till that sent "price" instead of "unitPrice" sends lines worth 0 (unitPrice defaults to 0): the coupon must not be
    // used up for a 0.00 discount. A gift gives its goods whatever the lines are worth.
    [Fact]
    public void AGoodsTiedCouponIsRefusedWhenItsMatchingItemsComeToZeroExceptAGift()
    {
        var scope = new CouponScope { Skus = ["SKU-X"] };
        var value = Issue(WakeUpGift with { Scope = scope }, grant: "v");
        var percent = Issue(new CouponTemplate { Kind = CouponKinds.Percent, Value = 10, ValidDays = 14, Scope = scope }, grant: "p");
        var gift = Issue(new CouponTemplate { Kind = CouponKinds.Gift, Gift = "trial pack", ValidDays = 14, Scope = scope }, grant: "g");
        var book = BookWith(value, percent, gift);
        var zeroLines = new CouponOrder(300m, "S1", "east", [new("SKU-X", "tea", 0m), new("SKU-Z", "cups", 300m)]);

        foreach (var coupon in new[] { value, percent })
        {
            var atTill = book.Redeem(coupon.Code, "R", zeroLines, Noon).Outcome;
            var onPurchase = book.ConfirmByPurchase(coupon.Code, "O-1", zeroLines with { ItemsOptional = true }, Noon).Outcome;
            Assert.Equal(CouponRefusals.NotApplicable, atTill.Refusal?.Reason);
            Assert.Contains("matching items (skus SKU-X) come to 0.00 CNY", atTill.Refusal!.Detail, StringComparison.Ordinal);
            Assert.Equal(CouponRefusals.NotApplicable, onPurchase.Refusal?.Reason);
        }

        Assert.True(book.Redeem(gift.Code, "R", zeroLines, Noon).Outcome.Accepted);
    }

    [Fact]
    public void DiscountsByKind()
    {
        Assert.Equal(15m, CouponPolicy.DiscountOn(Issue(WakeUpGift), 15m));
        Assert.Equal(20m, CouponPolicy.DiscountOn(Issue(WakeUpGift), 80m));
        Assert.Equal(100m, CouponPolicy.DiscountOn(Issue(Spend500Get100), 520m));
        Assert.Equal(26.85m, CouponPolicy.DiscountOn(Issue(new CouponTemplate { Kind = CouponKinds.Percent, Value = 10 }), 268.50m));
        Assert.Equal(0m, CouponPolicy.DiscountOn(Issue(new CouponTemplate { Kind = CouponKinds.Gift, Gift = "trial pack" }), 268.50m));
    }

    [Fact]
    public void APurchaseConfirmsAPosRedemptionAndRedeemsAnIssuedCouponOnce()
    {
        var posRedeemed = Issue(WakeUpGift, grant: "a");
        var direct = Issue(WakeUpGift, grant: "b");
        var book = BookWith(posRedeemed, direct).Redeem(posRedeemed.Code, "R1", At("S001", 80m), Noon).Book;

        var (b1, confirmed) = book.ConfirmByPurchase(posRedeemed.Code, "O1", At("S001", 80m), Noon.AddMinutes(1));
        var (b2, redeemed) = b1.ConfirmByPurchase(direct.Code, "O1", At("S001", 80m), Noon.AddMinutes(1));
        var (b3, again) = b2.ConfirmByPurchase(direct.Code, "O1", At("S001", 80m), Noon.AddMinutes(1));
        var (_, otherOrder) = b3.ConfirmByPurchase(direct.Code, "O2", At("S001", 80m), Noon.AddMinutes(2));

        Assert.Equal(("O1", "R1"), (confirmed.Coupon!.OrderId, confirmed.Coupon.RedemptionId));
        Assert.Equal((CouponStatuses.Redeemed, "O1"), (redeemed.Coupon!.Status, redeemed.Coupon.OrderId));
        Assert.True(again.Replayed);
        Assert.Same(b2, b3);
        Assert.Equal(CouponRefusals.Used, otherOrder.Refusal?.Reason);
    }

    [Fact]
    public void AnOrderWithoutAStoreIsAttachedToACouponThePosRedeemedAndItsFullRefundRestoresIt()
    {
        // storeId is optional on a purchase (CONTRACT.md §1): an order that names no store cannot be told apart from
        // the redemption's own, so it confirms it, and its full refund gives the coupon back.
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon).Redeem(coupon.Code, "R1", At("S001", 80m), Noon).Book;

        var (b1, confirmed) = book.ConfirmByPurchase(coupon.Code, "O2", At(null, 80m), Noon.AddMinutes(5));
        var (_, restored) = b1.RestoreForFullRefund("O2", Noon.AddDays(1), restore: true);

        Assert.Null(confirmed.Refusal);
        Assert.Equal("O2", b1.Find(coupon.Code)!.OrderId);
        Assert.Single(restored);
    }

    [Fact]
    public void AnOrderAtAnotherStoreIsNotAttachedToACouponThePosRedeemedAndItsRefundRestoresNothing()
    {
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon).Redeem(coupon.Code, "R1", At("S001", 80m), Noon).Book;

        var (b1, elsewhere) = book.ConfirmByPurchase(coupon.Code, "O2", At("S002", 80m), Noon.AddMinutes(5));
        var (_, restored) = b1.RestoreForFullRefund("O2", Noon.AddDays(1), restore: true);

        Assert.Equal(CouponRefusals.Used, elsewhere.Refusal?.Reason);
        Assert.Null(b1.Find(coupon.Code)!.OrderId);
        Assert.Empty(restored);
    }

    [Fact]
    public void ALatePurchaseInsideTheWindowRedeemsACouponTheClockAlreadyExpired()
    {
        var coupon = Issue(WakeUpGift);
        var expired = BookWith(coupon).ExpireDue(coupon.ValidUntil.AddHours(5)).Book;

        var late = expired.ConfirmByPurchase(coupon.Code, "O1", At("S001", 80m), coupon.ValidUntil.AddMinutes(-30)).Outcome;
        var tooLate = expired.ConfirmByPurchase(coupon.Code, "O2", At("S001", 80m), coupon.ValidUntil).Outcome;

        Assert.True(late.Accepted);
        Assert.Equal(CouponStatuses.Redeemed, late.Coupon!.Status);
        Assert.Equal(CouponRefusals.Expired, tooLate.Refusal?.Reason);
    }

    [Fact]
    public void AFullRefundRestoresTheCouponWhileStillValidIfConfigured()
    {
        var coupon = Issue(WakeUpGift);
        var used = BookWith(coupon).ConfirmByPurchase(coupon.Code, "O1", At("S001", 80m), Noon).Book;

        var (restoredBook, restored) = used.RestoreForFullRefund("O1", Noon.AddDays(1), restore: true);
        var (_, off) = used.RestoreForFullRefund("O1", Noon.AddDays(1), restore: false);
        var (_, tooLate) = used.RestoreForFullRefund("O1", coupon.ValidUntil, restore: true);

        var back = Assert.Single(restored);
        Assert.Equal(CouponStatuses.Issued, back.Status);
        Assert.Null(back.OrderId);
        Assert.Contains("refunded in full", back.StatusReason, StringComparison.Ordinal);
        Assert.True(restoredBook.Redeem(coupon.Code, "R9", At("S001", 80m), Noon.AddDays(2)).Outcome.Accepted);
        Assert.Empty(off);
        Assert.Empty(tooLate);
        Assert.Equal(
            [(CouponStatuses.Issued, CouponStatuses.Redeemed), (CouponStatuses.Redeemed, CouponStatuses.Issued)],
            back.History.Select(h => (h.From, h.To)));
    }

    [Fact]
    public void ARestoredCouponRemembersItsSpentRedemptionsBoundedAndReplaysTheirRetries()
    {
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon);
        for (var i = 1; i <= Coupon.MaxRedemptions + 2; i++)
        {
            var at = Noon.AddHours(i);
            book = book.Redeem(coupon.Code, $"R{i}", At("S001", 80m), at).Book;
            book = book.ConfirmByPurchase(coupon.Code, $"O{i}", At("S001", 80m), at).Book;
            book = book.RestoreForFullRefund($"O{i}", at, restore: true).Book;
        }

        var held = book.Find(coupon.Code)!;
        var (after, retry) = book.Redeem(coupon.Code, $"R{Coupon.MaxRedemptions + 2}", At("S001", 80m), Noon.AddDays(1));

        Assert.Equal(CouponStatuses.Issued, held.Status);
        Assert.Equal(Coupon.MaxRedemptions, held.Redemptions.Count);
        Assert.Equal((true, true, 20m), (retry.Accepted, retry.Replayed, retry.Discount));
        Assert.Same(book, after);
    }

    [Fact]
    public void OnlyAnIssuedCouponCanBeVoided()
    {
        var coupon = Issue(WakeUpGift);
        var (book, voided) = BookWith(coupon).Void(coupon.Code, "fraud", Noon);
        var (_, twice) = book.Void(coupon.Code, "fraud", Noon);

        Assert.Equal((CouponStatuses.Voided, "voided: fraud"), (voided.Coupon!.Status, voided.Coupon.StatusReason));
        Assert.Equal(CouponRefusals.Voided, twice.Refusal?.Reason);
    }

    [Fact]
    public void TheBookIsBoundedForgettingTheOldestSpentCouponFirst()
    {
        var a = Issue(WakeUpGift, grant: "a");
        var b = Issue(WakeUpGift, grant: "b");
        var c = Issue(WakeUpGift, grant: "c");
        var book = CouponBook.Empty.Issue(a, 2).Book.Issue(b, 2).Book;

        var (same, full) = book.Issue(c, 2);
        Assert.Equal(CouponIssueStatus.Full, full.Status);
        Assert.Same(book, same);

        var spent = book.Redeem(a.Code, "R", At("S1", 50m), Noon).Book;
        var (after, issued) = spent.Issue(c, 2);
        Assert.Equal(CouponIssueStatus.Issued, issued.Status);
        Assert.Equal([b.Code, c.Code], after.Coupons.Select(x => x.Code));

        var (retried, duplicate) = after.Issue(Issue(WakeUpGift, grant: "c"), 2);
        Assert.Equal(CouponIssueStatus.Duplicate, duplicate.Status);
        Assert.Same(after, retried);
    }

    [Theory]
    [InlineData("threshold", 100, 100, null, "minSpend")]
    [InlineData("percent", 100, 0, null, "value")]
    [InlineData("percent", 12.5, 0, null, "value")]
    [InlineData("gift", 0, 0, null, "gift")]
    [InlineData("no_threshold", 20.001, 0, null, "value")]
    [InlineData("cashback", 20, 0, null, "kind")]
    public void TemplatesAreValidatedNamingTheField(string kind, double value, double minSpend, string? gift, string field)
    {
        var template = new CouponTemplate { Kind = kind, Value = (decimal)value, MinSpend = (decimal)minSpend, Gift = gift };
        Assert.Contains(template.Validate(), e => e.Field == field);
        Assert.Empty(Spend500Get100.Validate());
        Assert.Empty(WakeUpGift.Validate());
    }
}
