using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>The member's coupon rules on its one-write path: what changes in the state and what goes to the outbox.</summary>
public sealed class MemberCouponsTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private readonly ProgramOptions _options = new();

    private static MemberState Member(string id = "M1", string? zone = null) => new() { MemberId = id, TimeZone = zone, FirstSeenAt = Noon.AddDays(-60) };

    private static MemberEvent Purchase(string eventId, string orderId, decimal amount, DateTimeOffset at, string store = "S001", params string[] coupons) =>
        new(eventId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount, StoreId = store, RegionId = "east", Coupons = coupons };

    [Fact]
    public void ARetriedGrantIssuesTheSameCodeOnceAndQueuesItsDirectoryRowOnce()
    {
        var member = Member();
        var first = MemberCoupons.Issue(member, WakeUpGift, "winback:L1:x", Offers, _options, Noon);
        var again = MemberCoupons.Issue(member, WakeUpGift, "winback:L1:x", Offers, _options, Noon.AddMinutes(5));

        Assert.True(first.StateChanged);
        Assert.False(again.StateChanged);
        Assert.Equal(CouponIssueStatus.Duplicate, again.Reply.Status);
        Assert.Equal(first.Reply.Coupon!.Code, again.Reply.Coupon!.Code);
        Assert.Equal(Codes.CodeFor("M1", "winback:L1:x"), first.Reply.Coupon.Code);
        Assert.Equal("coupon-code:" + first.Reply.Coupon.Code, Assert.Single(member.Outbox.Pending.OfType<RegisterCouponCode>()).Id);
    }

    [Fact]
    public void TheLedgerReasonOfACouponWithoutAnOfferNamesNoEmptyOffer()
    {
        // An admin's goodwill grant (POST /members/{id}/coupons without offerId) has no offer to name.
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift with { OfferId = "" }, "goodwill", Offers, _options, Noon).Reply.Coupon!.Code;
        MemberCoupons.Issue(member, WakeUpGift, "winback:L1:x", Offers, _options, Noon);

        var reasons = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Select(e => e.Reason).ToList();
        Assert.StartsWith($"coupon …{code[^4..]} (no_threshold): issued by grant goodwill", reasons[0], StringComparison.Ordinal);
        Assert.Contains("(no_threshold, offer winback.l1): ", reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiryFallsOnTheStartOfTheLocalDayInTheMembersOwnZoneAndIsExactOnItsInstant()
    {
        var member = Member(zone: "America/New_York");
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;

        // Noon in Shanghai is 23:00 on 22 Nov in New York: valid 14 days after 22 Nov, until 7 Dec 00:00 New York (05:00 UTC).
        var until = MemberCoupons.Book(member).Find(code)!.ValidUntil;
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero), until.ToUniversalTime());

        var justBefore = MemberCoupons.Redeem(member, code, "r0", At("S001", 50m), _options, until.AddTicks(-1));
        Assert.True(justBefore.Reply.Accepted);

        var other = Member("M2", "America/New_York");
        var code2 = MemberCoupons.Issue(other, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var onTheInstant = MemberCoupons.Redeem(other, code2, "r1", At("S001", 50m), _options, until);
        Assert.Equal(CouponRefusals.Expired, onTheInstant.Reply.Refusal!.Reason);
        Assert.Equal(CouponStatuses.Expired, MemberCoupons.BookAsOf(other, until).Find(code2)!.Status);
    }

    [Fact]
    public void ARedemptionIsIdempotentByItsIdSendsOneConfirmationAndAnotherIdIsRefusedAsUsed()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;

        var first = MemberCoupons.Redeem(member, code, "r1", At("S001", 80m), _options, Noon.AddHours(1));
        var replay = MemberCoupons.Redeem(member, code, "r1", At("S001", 80m), _options, Noon.AddHours(2));
        var second = MemberCoupons.Redeem(member, code, "r2", At("S001", 80m), _options, Noon.AddHours(2));

        Assert.Equal((true, false, 20m), (first.Reply.Accepted, first.Reply.Replayed, first.Reply.Discount));
        Assert.Equal((true, true, false), (replay.Reply.Accepted, replay.Reply.Replayed, replay.StateChanged));
        Assert.Equal(CouponRefusals.Used, second.Reply.Refusal!.Reason);
        var confirmation = Assert.Single(member.Outbox.Pending.OfType<PublishTouch>());
        Assert.Equal((TouchKinds.RedemptionConfirmation, TouchCategories.Service, code), (confirmation.Touch.Kind, confirmation.Touch.Category, confirmation.Touch.CouponCode));
        // CONTRACT.md §2.1 names it redemption_confirmation (the engine sent redemption.confirmation; connectors key on the contract's).
        Assert.Equal("redemption_confirmation", confirmation.Touch.Kind);

        // The ledger tells the coupon's story too: held (+1), used (−1), with the live count after and the code in the reason.
        var moves = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).ToList();
        Assert.Equal([(1L, "coupon.issue", 1L), (-1L, "coupon.redeem", 0L)], moves.Select(e => (e.Delta, e.RuleId, e.BalanceAfter)));
        Assert.Contains("…" + code[^4..], moves[1].Reason, StringComparison.Ordinal); // support reads it: last 4 only
        Assert.DoesNotContain(code, moves[1].Reason, StringComparison.Ordinal);
        Assert.Equal("r1", moves[1].EventId);
        Assert.Equal(2, member.Outbox.Pending.OfType<ArchiveLedgerEntry>().Count());
    }

    [Fact]
    public void APurchaseCarryingTheCodeConfirmsTheCouponAndAFullRefundRestoresIt()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", code.ToLowerInvariant());
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, purchase, _options, Noon.AddHours(1)).Reply.Status);

        var confirmed = MemberCoupons.AfterEvent(member, purchase, Offers, _options, Noon.AddHours(1));
        var coupon = MemberCoupons.Book(member).Find(code)!;
        Assert.True(confirmed.StateChanged);
        Assert.Empty(confirmed.Reply);
        Assert.Equal((CouponStatuses.Redeemed, "O1", "S001"), (coupon.Status, coupon.OrderId, coupon.StoreId));
        Assert.Equal("S001", MemberCoupons.HomeStore(member, Noon.AddHours(1)));

        var refund = new MemberEvent("e2", MemberEventTypes.Refund, Noon.AddHours(2)) { OrderId = "O1", Amount = 120m };
        MemberDecider.Apply(member, refund, _options, Noon.AddHours(2));
        MemberCoupons.AfterEvent(member, refund, Offers, _options, Noon.AddHours(2));
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(code)!.Status);
        Assert.Contains("refunded in full", MemberCoupons.Book(member).Find(code)!.StatusReason, StringComparison.Ordinal);
    }

    // CONTRACT.md §1: items are optional on a purchase. A goods-scoped coupon listed on a purchase without items was
    // honoured by the till already: it is confirmed (redeemed by that order), not refused and left issued for reuse.
    // The till's own redeem call without items stays refused not_applicable (CONTRACT.md §4).
    [Fact]
    public void APurchaseWithoutItemsConfirmsAGoodsScopedCouponTheTillHonouredButTheTillsRedeemStillNeedsItems()
    {
        var member = Member();
        var scoped = WakeUpGift with { Scope = new CouponScope { Skus = ["SKU-SERUM"] } };
        var code = MemberCoupons.Issue(member, scoped, "g", Offers, _options, Noon).Reply.Coupon!.Code;

        var tillRedeem = MemberCoupons.Book(member).Redeem(code, "R1", new CouponOrder(120m, "S001", "east"), Noon.AddHours(1)).Outcome;
        Assert.Equal(CouponRefusals.NotApplicable, tillRedeem.Refusal?.Reason);

        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", code);
        Assert.Empty(purchase.Items);
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, purchase, _options, Noon.AddHours(1)).Reply.Status);
        var confirmed = MemberCoupons.AfterEvent(member, purchase, Offers, _options, Noon.AddHours(1));

        Assert.Empty(confirmed.Reply);
        Assert.True(confirmed.StateChanged);
        var coupon = MemberCoupons.Book(member).Find(code)!;
        Assert.Equal((CouponStatuses.Redeemed, "O1"), (coupon.Status, coupon.OrderId));
        Assert.Contains("redeemed by order O1", coupon.StatusReason, StringComparison.Ordinal);

        // Used now: a second order carrying it is refused as used.
        var again = Purchase("e2", "O2", 120m, Noon.AddHours(2), "S001", code);
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, again, _options, Noon.AddHours(2)).Reply.Status);
        Assert.Equal(CouponRefusals.Used, Assert.Single(MemberCoupons.AfterEvent(member, again, Offers, _options, Noon.AddHours(2)).Reply).Reason);
    }

    // CONTRACT.md §1: a foreign amount counts converted to CNY at its configured rate; minSpend and the discount are CNY.
    // 10,000 JPY at 0.048 is 480 CNY: below a "spend 500" coupon's minimum; 12,500 JPY (600 CNY) reaches it.
    [Fact]
    public void APurchasesCouponsAreJudgedOnItsAmountInCny()
    {
        var options = new ProgramOptions();
        options.Currencies["JPY"] = new CurrencyRule { Rate = 0.048m, Decimals = 0 };
        var percent = new CouponTemplate { OfferId = "p10", Kind = CouponKinds.Percent, Value = 10m, ValidDays = 7 };
        var member = Member();
        var spend500 = MemberCoupons.Issue(member, Spend500Get100, "g1", Offers, options, Noon).Reply.Coupon!.Code;
        var tenth = MemberCoupons.Issue(member, percent, "g2", Offers, options, Noon).Reply.Coupon!.Code;

        var small = Purchase("e1", "O1", 10_000m, Noon.AddHours(1), "S001", spend500) with { Currency = "JPY" };
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, small, options, Noon.AddHours(1)).Reply.Status);
        var refused = MemberCoupons.AfterEvent(member, small, Offers, options, Noon.AddHours(1));
        Assert.Equal((spend500, "O1", CouponRefusals.BelowMinSpend), (Assert.Single(refused.Reply).Code, refused.Reply[0].OrderId, refused.Reply[0].Reason));
        Assert.Contains("480.00 CNY", refused.Reply[0].Detail, StringComparison.Ordinal);
        // What a log may show of it: the code's first 4 characters, never the code (docs/offers.md step 5).
        Assert.DoesNotContain(spend500, refused.Reply[0].Masked, StringComparison.Ordinal);
        Assert.Contains($"coupon …{spend500[^4..]} on order O1: below_min_spend", refused.Reply[0].Masked, StringComparison.Ordinal);
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(spend500)!.Status);

        var large = Purchase("e2", "O2", 12_500m, Noon.AddHours(2), "S001", spend500, tenth) with { Currency = "JPY" };
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, large, options, Noon.AddHours(2)).Reply.Status);
        Assert.Empty(MemberCoupons.AfterEvent(member, large, Offers, options, Noon.AddHours(2)).Reply);
        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(spend500)!.Status);
        Assert.Contains(member.Outbox.Pending.OfType<PublishTouch>(), t => t.Touch.Offer!.Contains("discount:60.00", StringComparison.Ordinal));
    }

    // CONTRACT.md §1: a refund that arrives before its purchase waits and applies with it; docs/offers.md §6: a refund of
    // the whole order issues its coupon again while still valid. The order of arrival must not change that.
    [Fact]
    public void AFullRefundThatArrivedBeforeItsPurchaseRestoresTheCoupon()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var refund = new MemberEvent("e2", MemberEventTypes.Refund, Noon.AddHours(2)) { OrderId = "O1", Amount = 120m };
        MemberDecider.Apply(member, refund, _options, Noon.AddHours(2));
        MemberCoupons.AfterEvent(member, refund, Offers, _options, Noon.AddHours(2));

        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", code);
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(member, purchase, _options, Noon.AddHours(3)).Reply.Status);
        var after = MemberCoupons.AfterEvent(member, purchase, Offers, _options, Noon.AddHours(3));

        var coupon = MemberCoupons.Book(member).Find(code)!;
        Assert.True(after.StateChanged);
        Assert.Equal(CouponStatuses.Issued, coupon.Status);
        Assert.Null(coupon.OrderId);
        Assert.Contains("refunded in full", coupon.StatusReason, StringComparison.Ordinal);
        Assert.Equal(
            [(MemberCoupons.IssueRule, 1L), (MemberCoupons.RedeemRule, -1L), (MemberCoupons.RestoreRule, 1L)],
            member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Select(e => (e.RuleId, e.Delta)));
        Assert.Equal(1L, member.Ledger.Last(e => e.Kind == MemberCoupons.LedgerKind).BalanceAfter);
    }

    [Fact]
    public void AFullRefundBeforeThePurchaseLeavesTheCouponRedeemedOnceItIsNoLongerValid()
    {
        var member = Member();
        var coupon = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var refund = new MemberEvent("e2", MemberEventTypes.Refund, Noon.AddHours(2)) { OrderId = "O1", Amount = 120m };
        MemberDecider.Apply(member, refund, _options, Noon.AddHours(2));

        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", coupon.Code);
        var late = coupon.ValidUntil.AddHours(1);
        MemberDecider.Apply(member, purchase, _options, late);
        MemberCoupons.AfterEvent(member, purchase, Offers, _options, late);

        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(coupon.Code)!.Status);
    }

    // docs/offers.md §5: the same redemptionId again answers replayed. A POS retrying its redeem call after the order was
    // refunded in full (and the coupon restored) gets the replay; the restored coupon stays the member's.
    [Fact]
    public void ARetryOfTheOriginalRedemptionAfterAFullRefundIsAReplayAndLeavesTheRestoredCoupon()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        Assert.True(MemberCoupons.Redeem(member, code, "R1", At("S001", 120m), _options, Noon.AddMinutes(30)).Reply.Accepted);
        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", code);
        MemberDecider.Apply(member, purchase, _options, Noon.AddHours(1));
        MemberCoupons.AfterEvent(member, purchase, Offers, _options, Noon.AddHours(1));
        var refund = new MemberEvent("e2", MemberEventTypes.Refund, Noon.AddHours(2)) { OrderId = "O1", Amount = 120m };
        MemberDecider.Apply(member, refund, _options, Noon.AddHours(2));
        MemberCoupons.AfterEvent(member, refund, Offers, _options, Noon.AddHours(2));
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(code)!.Status);
        var ledger = member.Ledger.Count;

        var retry = MemberCoupons.Redeem(member, code, "R1", At("S001", 120m), _options, Noon.AddHours(3));
        var elsewhere = MemberCoupons.Redeem(member, code, "R1", At("S002", 120m), _options, Noon.AddHours(3));

        Assert.Equal((true, true, 20m, false), (retry.Reply.Accepted, retry.Reply.Replayed, retry.Reply.Discount, retry.StateChanged));
        Assert.Equal(CouponRefusals.Used, elsewhere.Reply.Refusal?.Reason);
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(code)!.Status);
        Assert.Equal(ledger, member.Ledger.Count);

        // A new redemption of the restored coupon is a new request and uses it.
        var fresh = MemberCoupons.Redeem(member, code, "R2", At("S001", 90m), _options, Noon.AddHours(4));
        Assert.Equal((true, false), (fresh.Reply.Accepted, fresh.Reply.Replayed));
        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(code)!.Status);
    }

    [Fact]
    public void APartialRefundKeepsTheCouponRedeemedAndAnUnknownCodeOnAPurchaseIsReportedNotApplied()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var guessed = Codes.CodeFor("someone-else", "g");
        var purchase = Purchase("e1", "O1", 120m, Noon.AddHours(1), "S001", code, guessed);
        MemberDecider.Apply(member, purchase, _options, Noon.AddHours(1));
        var outcome = MemberCoupons.AfterEvent(member, purchase, Offers, _options, Noon.AddHours(1));

        var refund = new MemberEvent("e2", MemberEventTypes.Refund, Noon.AddHours(2)) { OrderId = "O1", Amount = 20m };
        MemberDecider.Apply(member, refund, _options, Noon.AddHours(2));
        MemberCoupons.AfterEvent(member, refund, Offers, _options, Noon.AddHours(2));

        Assert.Contains(outcome.Reply, r => r.Reason == CouponRefusals.NotFound);
        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(code)!.Status);
        Assert.Null(MemberCoupons.Book(member).Find(guessed));
    }

    [Fact]
    public void TheTickSendsOneExpiryReminderThreeDaysBeforeExpiresOnTimeAndForgetsOldSpentCoupons()
    {
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var until = MemberCoupons.Book(member).Find(code)!.ValidUntil;

        var early = MemberCoupons.Tick(member, Offers, _options, until.AddDays(-4));
        Assert.Equal(until.AddDays(-3), early.NextDueAt);
        Assert.Empty(early.Touches);

        // 09:00 the next morning in Shanghai, outside quiet hours: the service reminder goes out once.
        var due = until.AddDays(-3).AddHours(9);
        var reminder = MemberCoupons.Tick(member, Offers, _options, due);
        var again = MemberCoupons.Tick(member, Offers, _options, due.AddHours(1));
        var touch = Assert.Single(reminder.Touches);
        Assert.Equal((TouchKinds.CouponExpiryReminder, TouchDecisions.Sent, code), (touch.Kind, touch.Decision, touch.CouponCode));
        // Published with the tick's own write, not left for a later one.
        Assert.Contains(reminder.Effects.OfType<PublishTouch>(), p => p.Touch.CouponCode == code);
        Assert.Empty(again.Touches);
        Assert.Equal(until, again.NextDueAt);

        var expiry = MemberCoupons.Tick(member, Offers, _options, until);
        Assert.Equal(code, Assert.Single(expiry.Reply).Code);
        Assert.Equal(("coupon.expire", -1L, until), (member.Ledger[^1].RuleId, member.Ledger[^1].Delta, member.Ledger[^1].At));
        Assert.Equal(until, MemberCoupons.Book(member).Find(code)!.StatusAt);

        var forgotten = MemberCoupons.Tick(member, Offers, _options, until.AddDays(Offers.SpentCouponsKeptDays).AddMinutes(1));
        Assert.True(forgotten.StateChanged);
        Assert.Empty(MemberCoupons.Book(member).Coupons);
    }

    [Fact]
    public void ThreeCouponsExpiringTogetherSendOneReminderADayWithinTheMarketingCaps()
    {
        // CONTRACT.md §2 names two service touches; a coupon reminder is not one: the member gets one message a day.
        var member = Member();
        var codes = Enumerable.Range(1, 3).Select(i => MemberCoupons.Issue(member, WakeUpGift, "g" + i, Offers, _options, Noon).Reply.Coupon!.Code).ToList();
        var until = MemberCoupons.Book(member).Find(codes[0])!.ValidUntil;

        var tick = MemberCoupons.Tick(member, Offers, _options, until.AddDays(-3).AddHours(9));

        Assert.Equal(3, tick.Touches.Count);
        Assert.All(tick.Touches, t => Assert.Equal(TouchCategories.Marketing, t.Category));
        Assert.Single(tick.Touches, t => t.Decision == TouchDecisions.Sent);
        Assert.Equal(2, tick.Touches.Count(t => t.Decision == TouchDecisions.Deferred));

        // Listed in Touches:ServiceKinds, the reminders are service touches again, as an operator may choose.
        var listed = Member();
        _options.Touches.ServiceKinds.Add(TouchKinds.CouponExpiryReminder);
        Enumerable.Range(1, 3).ToList().ForEach(i => MemberCoupons.Issue(listed, WakeUpGift, "g" + i, Offers, _options, Noon));
        var service = MemberCoupons.Tick(listed, Offers, _options, until.AddDays(-3).AddHours(9));
        Assert.All(service.Touches, t => Assert.Equal((TouchCategories.Service, TouchDecisions.Sent), (t.Category, t.Decision)));
    }

    [Fact]
    public void AnExpiryReminderWaitingForTheMorningIsWithdrawnWhenTheCouponWasRedeemedMeanwhile()
    {
        // The reminder falls due at local midnight and waits for 09:00; the member uses the coupon at 08:00. The 09:00
        // message must not tell them a coupon they have just used is about to expire.
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!.Code;
        var dueAt = MemberCoupons.Book(member).Find(code)!.ValidUntil.AddDays(-3);
        var tick = MemberCoupons.Tick(member, Offers, _options, dueAt);
        var waiting = Assert.Single(tick.Touches);
        Assert.Equal((TouchKinds.CouponExpiryReminder, TouchDecisions.Deferred), (waiting.Kind, waiting.Decision));
        // The member is woken when quiet hours end, not at the next day's tick.
        Assert.Equal(waiting.NotBefore, tick.NextDueAt);
        Assert.True(tick.NextDueAt < dueAt.AddDays(1));
        Assert.True(MemberCoupons.Redeem(member, code, "r1", At("S001", 80m), _options, dueAt.AddHours(8)).Reply.Accepted);

        var morning = Engagement.Domain.Lifecycle.MemberTick.Run(member, _options, dueAt.AddHours(9));

        var reminder = Assert.Single(morning.Touches, t => t.TouchId == waiting.TouchId);
        Assert.Equal(TouchDecisions.Suppressed, reminder.Decision);
        Assert.Contains("redeemed", reminder.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(TouchGovernor.PendingPublish(member), t => t.TouchId == waiting.TouchId);
    }

    [Fact]
    public void TheWinBackL1GiftBecomesACouponWhoseCodeRidesOnTheL1Touch()
    {
        var member = new MemberState { MemberId = "M1" };
        var start = new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.FromHours(8));
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, start) { OrderId = "O1", Amount = 100m }, _options, start);

        // 30 days of silence, at noon: L1 is due.
        var now = start.AddDays(30).AddMinutes(1);
        var outcome = MemberDecider.Tick(member, _options, now, r => OfferFulfilment.ForTouch(member, r, Offers, _options, now));

        var l1 = Assert.Single(outcome.Touches, t => t.Level == 1);
        var coupon = Assert.Single(MemberCoupons.Book(member).Coupons);
        Assert.Equal(coupon.Code, l1.CouponCode);
        Assert.Equal((CouponKinds.NoThreshold, 20m, 0m, "trial pack"), (coupon.Kind, coupon.Value, coupon.MinSpend, coupon.Gift));
        Assert.Equal(MemberTimeZones.StartOfDay(MemberTimeZones.LocalDate(now, Shanghai).AddDays(15), Shanghai), coupon.ValidUntil);
        Assert.Contains(member.Outbox.Pending, e => e is PublishTouch p && p.Touch.CouponCode == coupon.Code);

        var again = MemberDecider.Tick(member, _options, now.AddHours(1), r => OfferFulfilment.ForTouch(member, r, Offers, _options, now.AddHours(1)));
        Assert.DoesNotContain(again.Touches, t => t.Level == 1 && t.Decision == TouchDecisions.Sent && t.DecidedAt > now);
        Assert.Single(MemberCoupons.Book(member).Coupons);
    }

    [Fact]
    public void AWinBackL1TouchThatCannotReachTheMemberIssuesNoGift()
    {
        // Opted out of push and of its SMS fallback: the L1 touch is suppressed, so no wake-up coupon nobody announces
        // (a campaign's suppressed touch grants nothing either); the coupon counts of §5 stay honest.
        var member = new MemberState { MemberId = "M1" };
        member.Consent["push"] = false;
        member.Consent["sms"] = false;
        var start = new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.FromHours(8));
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, start) { OrderId = "O1", Amount = 100m }, _options, start);

        var now = start.AddDays(30).AddMinutes(1);
        var outcome = MemberDecider.Tick(member, _options, now, r => OfferFulfilment.ForTouch(member, r, Offers, _options, now));

        var l1 = Assert.Single(outcome.Touches, t => t.Level == 1);
        Assert.Equal(TouchDecisions.Suppressed, l1.Decision);
        Assert.Null(l1.CouponCode);
        Assert.Empty(MemberCoupons.Book(member).Coupons);
    }

    [Fact]
    public void ACampaignPointsOfferIsALotWithALedgerReasonAndABenefitOfferIsAGrantBothOnce()
    {
        var member = Member();
        var points = OfferFulfilment.Campaign(member, "C1", OfferFulfilment.PointsKind, "bonus-500", 0m, 500, null, Offers, _options, Noon);
        var again = OfferFulfilment.Campaign(member, "C1", OfferFulfilment.PointsKind, "bonus-500", 0m, 500, null, Offers, _options, Noon);
        var benefit = OfferFulfilment.Campaign(member, "C2", OfferFulfilment.BenefitKind, "priority-booking", 0m, null, null, Offers, _options, Noon);

        Assert.Equal(500, PointsWallet.Balance(member));
        var entry = Assert.Single(points.Entries);
        Assert.Equal((500L, OfferFulfilment.PointsOfferRule), (entry.Delta, entry.RuleId));
        Assert.Contains("campaign C1", entry.Reason, StringComparison.Ordinal);
        Assert.Contains(member.Outbox.Pending, e => e is ArchiveLedgerEntry a && a.Entry.Sequence == entry.Sequence);
        Assert.Empty(again.Entries);
        Assert.Equal(("priority-booking", BenefitUseKinds.Granted), (member.Offers!.BenefitUses[0].Code, member.Offers.BenefitUses[0].Kind));
        Assert.Equal(OfferFulfilment.BenefitKind, benefit.Kind);
    }

    [Fact]
    public void ACampaignCouponOfferWithoutDetailsIsWorthItsUnitCostAndTheBookStaysBounded()
    {
        var member = Member();
        var grant = OfferFulfilment.Campaign(member, "C9", OfferFulfilment.CouponKind, "off-15", 15m, null, null, Offers, _options, Noon);
        Assert.Equal(15m, MemberCoupons.Book(member).Find(grant.CouponCode!)!.Value);

        var small = new OffersOptions { CouponSecret = Secret, MaxCouponsPerMember = 3 };
        var full = Member("M3");
        for (var i = 0; i < 3; i++)
        {
            var code = MemberCoupons.Issue(full, WakeUpGift, "g" + i, small, _options, Noon).Reply.Coupon!.Code;
            MemberCoupons.Redeem(full, code, "r" + i, At("S001", 50m), _options, Noon.AddMinutes(i + 1));
        }

        MemberCoupons.Issue(full, WakeUpGift, "g-new", small, _options, Noon.AddHours(1));
        Assert.Equal(3, MemberCoupons.Book(full).Coupons.Count);
        Assert.Null(MemberCoupons.Book(full).Find(Codes.CodeFor("M3", "g0")));
    }

    [Fact]
    public void TheBirthdayTouchOfAV2MemberHandsOverABirthdayCouponOncePerYear()
    {
        var member = new MemberState { MemberId = "M1", Birthday = new DateOnly(1990, 11, 23) };
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, Noon.AddDays(-1)) { OrderId = "O1", Amount = 1_200m }, _options, Noon.AddDays(-1));
        Assert.Contains(member.Benefits, b => b.Code == "birthday-coupon");

        var outcome = MemberDecider.Tick(member, _options, Noon, r => OfferFulfilment.ForTouch(member, r, Offers, _options, Noon));
        var later = Noon.AddHours(2);
        MemberDecider.Tick(member, _options, later, r => OfferFulfilment.ForTouch(member, r, Offers, _options, later));

        var touch = Assert.Single(outcome.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);
        var coupon = Assert.Single(MemberCoupons.Book(member).Coupons);
        Assert.Equal((coupon.Code, "birthday-coupon", 30m), (touch.CouponCode, coupon.OfferId, coupon.Value));
        Assert.Equal(Codes.CodeFor("M1", "birthday:2026"), coupon.Code);
    }

    [Fact]
    public void TheCouponLedgerStillAddsUpWhenALatePurchaseUsesACouponTheClockHadExpired()
    {
        // docs/offers.md §7: each move is a ledger entry of kind coupon; their deltas sum to the live coupons held.
        var member = Member();
        var coupon = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var later = coupon.ValidUntil.AddDays(1);
        MemberCoupons.Tick(member, Offers, _options, later);
        var late = new MemberEvent("e1", MemberEventTypes.Purchase, coupon.ValidUntil.AddDays(-2))
            { OrderId = "O1", Amount = 120m, StoreId = "S001", RegionId = "east", Coupons = [coupon.Code] };

        MemberDecider.Apply(member, late, _options, later);
        MemberCoupons.AfterEvent(member, late, Offers, _options, later);

        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(coupon.Code)!.Status);
        var entries = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).ToList();
        Assert.Equal([+1L, -1L, 0L], entries.Select(e => e.Delta));
        Assert.Equal(MemberCoupons.Book(member).Coupons.Count(c => c.Status == CouponStatuses.Issued), entries.Sum(e => e.Delta));
        Assert.Equal(0, entries[^1].BalanceAfter);
    }

    [Fact]
    public void AGrantRetriedAfterItsSpentCouponWasForgottenIsStillADuplicate()
    {
        // CONTRACT.md §2.1: a retried grant issues nothing new. The spent coupon is forgotten after SpentCouponsKeptDays
        // (90); its code, derived from member and grant, is remembered, so the retry does not issue a live copy.
        var member = Member();
        var code = MemberCoupons.Issue(member, WakeUpGift, "goodwill-1", Offers, _options, Noon).Reply.Coupon!.Code;
        Assert.True(MemberCoupons.Redeem(member, code, "R1", new CouponOrder(120m, "S001", "east"), _options, Noon.AddHours(1)).Reply.Accepted);
        MemberCoupons.Tick(member, Offers, _options, Noon.AddDays(Offers.SpentCouponsKeptDays + 1));
        Assert.Null(MemberCoupons.Book(member).Find(code));

        var again = MemberCoupons.Issue(member, WakeUpGift, "goodwill-1", Offers, _options, Noon.AddDays(Offers.SpentCouponsKeptDays + 1)).Reply;
        var other = MemberCoupons.Issue(member, WakeUpGift, "goodwill-2", Offers, _options, Noon.AddDays(Offers.SpentCouponsKeptDays + 1)).Reply;

        Assert.Equal((CouponIssueStatus.Duplicate, null), (again.Status, again.Coupon));
        Assert.Equal(CouponIssueStatus.Issued, other.Status);
        Assert.Null(MemberCoupons.Book(member).Find(code));

        // What is remembered is stored with the member: a reloaded copy refuses the retry too.
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var reloaded = System.Text.Json.JsonSerializer.Deserialize<MemberState>(System.Text.Json.JsonSerializer.Serialize(member, web), web)!;
        Assert.Equal(CouponIssueStatus.Duplicate, MemberCoupons.Issue(reloaded, WakeUpGift, "goodwill-1", Offers, _options, Noon.AddDays(100)).Reply.Status);
    }

    [Theory]
    [InlineData("redemption_confirmation")]
    [InlineData("redemption.confirmation")]
    public void ServiceKindsListingTheConfirmationByEitherNameMakeItAServiceTouch(string listed)
    {
        // Settings written for the old kind name keep working: Touches:ServiceKinds may list either.
        var options = new ProgramOptions();
        options.Touches.ServiceKinds = [listed];
        var member = Member();

        var decision = TouchGovernor.Decide(member, new TouchRequest { Kind = TouchKinds.RedemptionConfirmation, Channel = "sms", DedupeKey = "k", ValidUntil = Noon.AddDays(1) }, options, Noon);

        Assert.Equal(TouchCategories.Service, decision.Category);
        Assert.Equal(TouchKinds.RedemptionConfirmation, TouchKinds.Canonical(listed));
    }
}
