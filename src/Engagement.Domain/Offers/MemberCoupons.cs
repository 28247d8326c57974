using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// The member's coupon rules on its one-write path (CONTRACT.md §2.1): each entry point takes the member state and
/// <c>now</c>, changes <see cref="MemberState.Offers"/>, queues its effects in the member's outbox (the code's
/// directory row, service touches) and answers one <see cref="MemberOutcome"/>; the grain writes once and emits.
/// </summary>
public static class MemberCoupons
{
    /// <summary>Ledger kind of a coupon's moves (issued, redeemed, restored, expired).</summary>
    public const string LedgerKind = "coupon";

    /// <summary>Ledger rule of a coupon issued (+1).</summary>
    public const string IssueRule = "coupon.issue";

    /// <summary>Ledger rule of a coupon redeemed (−1).</summary>
    public const string RedeemRule = "coupon.redeem";

    /// <summary>Ledger rule of a coupon restored by a full refund (+1).</summary>
    public const string RestoreRule = "coupon.restore";

    /// <summary>Ledger rule of a coupon expired (−1).</summary>
    public const string ExpireRule = "coupon.expire";

    /// <summary>The member's coupon book (empty when it never held one).</summary>
    public static CouponBook Book(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Offers?.Coupons ?? CouponBook.Empty;
    }

    /// <summary>The book as of <paramref name="now"/> (reads are as of now: a coupon past its instant shows expired).</summary>
    public static CouponBook BookAsOf(MemberState state, DateTimeOffset now) => Book(state).ExpireDue(now).Book;

    /// <summary>
    /// Issues the coupon of grant <paramref name="grantId"/> (its code derives from member and grant, so a retried grant
    /// finds the coupon it issued: <see cref="CouponIssueStatus.Duplicate"/>, nothing changes). Validity runs to the
    /// start of a local day in the member's time zone. The code's directory row is queued in the outbox. <paramref name="stockUnchecked"/>: issued knowingly without the stock check (<see cref="Coupon.StockUnchecked"/>).
    /// The <see cref="IssueRule"/> ledger entry is recorded at <paramref name="now"/> and dated at <paramref name="occurredAt"/>
    /// (UTC) when an event caused the issue (a purchase that fired a triggered campaign, CONTRACT.md §1.1); null: at
    /// <paramref name="now"/>. The coupon's validity runs from <paramref name="now"/> either way: the member gets it now.
    /// </summary>
    /// <exception cref="InvalidOperationException">The coupon secret is not configured (<see cref="OffersOptions.Codes"/>).</exception>
    public static MemberOutcome<CouponIssueOutcome> Issue(
        MemberState state, CouponTemplate template, string grantId, OffersOptions offers, ProgramOptions options, DateTimeOffset now, bool stockUnchecked = false,
        DateTimeOffset? occurredAt = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(offers);
        var coupon = template.Issue(state.MemberId, grantId, now, TouchGovernor.ZoneOf(state, options), offers.Codes()) with { StockUnchecked = stockUnchecked };
        var (book, outcome) = Book(state).Issue(coupon, offers.MaxCouponsPerMember);
        if (outcome.Status != CouponIssueStatus.Issued)
        {
            return new MemberOutcome<CouponIssueOutcome> { Reply = outcome };
        }

        var mark = state.Outbox.Count;
        Adopt(state, book);
        state.Outbox.Add(new RegisterCouponCode(coupon.Code));
        Record(state, coupon, +1, IssueRule, grantId, options, now, occurredAt);
        return new MemberOutcome<CouponIssueOutcome> { Reply = outcome, StateChanged = true, Effects = Since(state, mark) };
    }

    /// <summary>
    /// A POS redeems <paramref name="code"/> for an order (CONTRACT.md §4): idempotent by <paramref name="redemptionId"/>;
    /// refused with a <see cref="CouponRefusals"/> reason. An acceptance sends the <c>redemption_confirmation</c> service touch.
    /// A refusal of a coupon the member holds is kept on it (<see cref="Coupon.Refusals"/>, the newest
    /// <see cref="Coupon.MaxRefusals"/> per coupon and <see cref="Coupon.MaxRefusalsPerMember"/> across the member's coupons)
    /// and so changes the state, once per redemptionId: the same request again changes nothing, even once its note was
    /// pushed out of the newest kept (<see cref="MemberOfferState.ForgottenRefusals"/>).
    /// </summary>
    public static MemberOutcome<CouponRedeemOutcome> Redeem(
        MemberState state, string code, string redemptionId, CouponOrder order, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var mark = state.Outbox.Count;
        var before = Book(state);
        var (current, expired) = before.ExpireDue(now);
        var (book, outcome) = current.Redeem(code, redemptionId, order, now);
        if (outcome is { Refusal: { } refusal, Coupon: { } refused } && !refused.HasRefused(redemptionId) && !RefusalMemory.WasForgotten(state, refused.Code, redemptionId))
        {
            var note = new CouponRefusalNote(now, redemptionId, order.StoreId, refusal.Reason, order.Amount, order.RegionId)
            {
                Field = refusal.Field == CouponRedemptionIds.Field ? refusal.Field : null,
            };
            book = ForgetOldRefusals(book.Replace(refused.WithRefusal(note)));
            RefusalMemory.RememberDropped(state, current, refused.Code, note, book);
        }

        var changed = !ReferenceEquals(book, before) && !book.Coupons.SequenceEqual(before.Coupons);
        if (changed)
        {
            Adopt(state, book);
        }

        foreach (var gone in expired)
        {
            Record(state, gone, -1, ExpireRule, null, options, gone.ValidUntil, gone.ValidUntil);
        }

        if (outcome is { Accepted: true, Replayed: false, Coupon: { } used })
        {
            Record(state, used, -1, RedeemRule, redemptionId, options, now);
            ConfirmationTouch(state, "coupon:" + used.Code, Describe(used, outcome.Discount), used.Code, options, now);
        }

        return new MemberOutcome<CouponRedeemOutcome> { Reply = outcome, StateChanged = changed, Effects = Since(state, mark) };
    }

    /// <summary>The book with its oldest refusal notes forgotten until at most <see cref="Coupon.MaxRefusalsPerMember"/> are kept across its coupons.</summary>
    private static CouponBook ForgetOldRefusals(CouponBook book)
    {
        while (book.Coupons.Sum(c => c.Refusals?.Count ?? 0) > Coupon.MaxRefusalsPerMember)
        {
            var oldest = book.Coupons.Where(c => c.Refusals is { Count: > 0 }).MinBy(c => c.Refusals![0].At)!;
            book = book.Replace(oldest.WithoutOldestRefusal());
        }

        return book;
    }

    /// <summary>
    /// After an applied event: a purchase's <c>coupons</c> are marked redeemed by its order (as of its occurredAt, judged
    /// on its amount in CNY converted as the purchase itself is, CONTRACT.md §1; a code the member does not hold or
    /// cannot use is refused, the purchase still applies) and its store remembered; a refund
    /// that completes an order's refund restores the order's coupons while still valid
    /// (<see cref="OffersOptions.RestoreCouponsOnFullRefund"/>), and so does a purchase whose held refunds, applied with
    /// it, refunded it in full. Returns the refused coupons (the member's coupon stays as it was), each with its reason.
    /// </summary>
    public static MemberOutcome<IReadOnlyList<CouponEventRefusal>> AfterEvent(
        MemberState state, MemberEvent evt, OffersOptions offers, ProgramOptions options, DateTimeOffset now) =>
        AfterEvent(state, evt, offers, options, now, restoreHeld: true);

    /// <summary><see cref="AfterEvent(MemberState, MemberEvent, OffersOptions, ProgramOptions, DateTimeOffset)"/>, with the held refunds' restore (<see cref="CouponRefundRestore.ForHeldRefunds"/>) only when <paramref name="restoreHeld"/>: <see cref="CouponEventStep"/> runs and counts it as the refund's own step.</summary>
    internal static MemberOutcome<IReadOnlyList<CouponEventRefusal>> AfterEvent(
        MemberState state, MemberEvent evt, OffersOptions offers, ProgramOptions options, DateTimeOffset now, bool restoreHeld)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(options);
        var mark = state.Outbox.Count;
        var refusals = new List<CouponEventRefusal>();
        var changed = false;
        if (evt.Type == MemberEventTypes.ProfileUpdate && evt.Properties.TryGetValue("homeStore", out var homeStore))
        {
            OffersOf(state).HomeStore = string.IsNullOrWhiteSpace(homeStore) ? null : homeStore.Trim();
            changed = true;
        }

        if (evt.Type == MemberEventTypes.Purchase && evt.OrderId is { } orderId)
        {
            changed |= RememberStore(state, evt);
            var (amount, unconvertible) = AmountInProgramme(evt, options);
            // Items are optional on a purchase (CONTRACT.md §1): without them a goods-tied coupon the till honoured is confirmed.
            var order = new CouponOrder(amount, evt.StoreId, evt.RegionId ?? state.RegionId, unconvertible is null ? CouponOrderLine.ItemsOf(evt, options) : []) { ItemsOptional = true };
            foreach (var code in evt.Coupons.Distinct(StringComparer.Ordinal))
            {
                if (unconvertible is not null)
                {
                    refusals.Add(new(code, orderId, CouponRefusals.NotApplicable, $"the order's amount has no value in {options.Currency}: {unconvertible}"));
                    continue;
                }

                var held = Book(state).Find(code);
                var (book, outcome) = Book(state).ConfirmByPurchase(code, orderId, order, evt.OccurredAt);
                if (!outcome.Accepted)
                {
                    refusals.Add(new(code, orderId, outcome.Refusal!.Reason, outcome.Refusal.Detail));
                    continue;
                }

                if (!ReferenceEquals(book, Book(state)))
                {
                    Adopt(state, book);
                    changed = true;
                }

                // A coupon the POS redeemed was confirmed to the member then; one used only on the order is confirmed now.
                if (!outcome.Replayed && held?.RedemptionId is null)
                {
                    // A late use of a coupon expired or voided (-1 then) since leaves the live count as it was (docs/offers.md §7).
                    Record(state, outcome.Coupon!, held?.Status == CouponStatuses.Issued ? -1 : 0, RedeemRule, evt.EventId, options, now, evt.OccurredAt);
                    ConfirmationTouch(state, "coupon:" + outcome.Coupon!.Code, Describe(outcome.Coupon, outcome.Discount), outcome.Coupon.Code, options, now);
                    CouponReissues.AfterLateUse(state, outcome.Coupon, evt, options, now);
                }
            }

            if (restoreHeld)
            {
                changed |= CouponRefundRestore.ForHeldRefunds(state, evt, held: null, offers, options, now) is not null;
            }
        }
        else if (evt.Type == MemberEventTypes.Refund && evt.OrderId is { } refundedId && OrderBook.IsFullyRefunded(state, refundedId))
        {
            changed |= CouponRefundRestore.ForFullRefund(state, refundedId, evt.EventId, CouponRefundRestore.RefundedInFullAt(CouponRefundRestore.MarksOf(state, refundedId), evt.OccurredAt), offers, options, now);
        }

        return new MemberOutcome<IReadOnlyList<CouponEventRefusal>> { Reply = refusals, StateChanged = changed, Effects = Since(state, mark) };
    }

    /// <summary>
    /// What time makes due in the coupon book: issued coupons whose instant has come expire; an expiry reminder goes out
    /// <see cref="OffersOptions.ExpiryReminderDays"/> before (one service touch per coupon, id <c>coupon-expiry:{code}</c>);
    /// spent coupons older than <see cref="OffersOptions.SpentCouponsKeptDays"/> are forgotten. <see cref="MemberOutcome.NextDueAt"/>
    /// is the next reminder or expiry instant.
    /// </summary>
    public static MemberOutcome<IReadOnlyList<Coupon>> Tick(MemberState state, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(offers);
        var mark = state.Outbox.Count;
        var before = Book(state);
        if (before.Coupons.Count == 0)
        {
            return new MemberOutcome<IReadOnlyList<Coupon>> { Reply = [] };
        }

        var touches = new List<TouchDecision>();
        foreach (var coupon in before.DueForExpiryReminder(now, offers.ExpiryReminderDays))
        {
            var request = new TouchRequest
            {
                Kind = TouchKinds.CouponExpiryReminder,
                Channel = MemberProfile.PreferredChannel(state, options.Touches.NoticeChannel, options.Touches.NoticeFallbackChannel),
                PreferredChannel = options.Touches.NoticeChannel,
                FallbackChannel = options.Touches.NoticeFallbackChannel,
                Offer = string.Create(CultureInfo.InvariantCulture, $"coupon:{coupon.OfferId};expiresAt:{coupon.ValidUntil.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"),
                CouponCode = coupon.Code,
                DedupeKey = coupon.Code,
                ValidUntil = coupon.ValidUntil,
                // Within the caps unless Touches:ServiceKinds lists it: CONTRACT.md §2 names two service touches, not this one.
            };
            if (TouchGovernor.Find(state, TouchIds.For(state.MemberId, request)) is null)
            {
                touches.Add(TouchGovernor.Decide(state, request, options, now));
            }
        }

        // A reminder decided sent goes into the outbox with this write (the tick's own touches were queued before it):
        // left for a later write it went out late, even after the coupon was used.
        if (touches.Exists(static t => t.Decision == TouchDecisions.Sent))
        {
            MemberDecider.QueueSentTouches(state);
        }

        var (book, expired) = before.ExpireDue(now);
        book = book.ForgetSpentBefore(now.AddDays(-offers.SpentCouponsKeptDays));
        var changed = touches.Count > 0 || !ReferenceEquals(book, before);
        if (!ReferenceEquals(book, before))
        {
            Adopt(state, book);
        }

        foreach (var gone in expired)
        {
            Record(state, gone, -1, ExpireRule, null, options, gone.ValidUntil, gone.ValidUntil);
        }

        return new MemberOutcome<IReadOnlyList<Coupon>>
        {
            Reply = expired,
            StateChanged = changed,
            Touches = touches,
            Effects = Since(state, mark),
            NextDueAt = NextDue(book.NextDueAfter(now, offers.ExpiryReminderDays), TouchGovernor.NextDeferredAt(state), now),
        };
    }

    /// <summary>
    /// The store the member shops at (CONTRACT.md §2.1): the profile's <c>homeStore</c> property when set, else the store
    /// of most purchases in the 90 days before <paramref name="now"/> (ties: the most recent), else null.
    /// </summary>
    public static string? HomeStore(MemberState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Offers?.HomeStore is { } chosen)
        {
            return chosen;
        }

        var since = now.AddDays(-90);
        return state.Offers?.StorePurchases
            .Where(p => p.At >= since)
            .GroupBy(p => p.StoreId, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Max(p => p.At))
            .Select(g => g.Key)
            .FirstOrDefault();
    }

    /// <summary>
    /// Decides a <c>redemption_confirmation</c> service touch (caps do not apply, opt-out does) and queues it in the
    /// outbox when sent; <paramref name="key"/> makes one touch per redemption.
    /// </summary>
    public static TouchDecision ConfirmationTouch(MemberState state, string key, string offer, string? couponCode, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var decision = TouchGovernor.Decide(state, new TouchRequest
        {
            Kind = TouchKinds.RedemptionConfirmation,
            Channel = MemberProfile.PreferredChannel(state, options.Touches.NoticeChannel, options.Touches.NoticeFallbackChannel),
            PreferredChannel = options.Touches.NoticeChannel,
            FallbackChannel = options.Touches.NoticeFallbackChannel,
            Offer = offer,
            CouponCode = couponCode,
            DedupeKey = key,
            ValidUntil = now.AddDays(1),
            Category = TouchCategories.Service,
        }, options, now);
        MemberDecider.QueueSentTouches(state);
        return decision;
    }

    /// <summary>
    /// The earlier of the book's next instant and a deferred touch's (a reminder decided in quiet hours waits for
    /// their end, which must wake the member rather than wait for the next reminder or expiry); a deferred instant
    /// not after <paramref name="now"/> is the tick's own to release, not a wake-up.
    /// </summary>
    private static DateTimeOffset? NextDue(DateTimeOffset? book, DateTimeOffset? deferred, DateTimeOffset now) =>
        deferred is not { } d || d <= now ? book : book is { } b && b <= d ? b : d;

    internal static MemberOfferState OffersOf(MemberState state) => state.Offers ??= new MemberOfferState();

    /// <summary>
    /// A coupon's move in the member's ledger (kind <see cref="LedgerKind"/>, like <c>tier</c>): delta +1 when the member
    /// holds one more live coupon, −1 when one is used or expires; balance after = live coupons; the reason names the code
    /// (masked to its last 4 characters, <see cref="CouponCodes.Mask"/>, as every code in it) and why.
    /// Recorded at <paramref name="at"/>; <paramref name="occurredAt"/> is when the move took effect (the causing event's
    /// occurredAt, a coupon's expiry instant; null: <paramref name="at"/>). Queued for the archive.
    /// </summary>
    internal static void Record(
        MemberState state, Coupon coupon, long delta, string ruleId, string? eventId, ProgramOptions options, DateTimeOffset at, DateTimeOffset? occurredAt = null)
    {
        var entries = new List<Ledger.LedgerEntry>(1);
        var live = Book(state).Coupons.Count(c => c.Status == CouponStatuses.Issued);
        // Support reads the ledger: every code in the reason (the coupon's, a reissue's) keeps only its last 4 characters.
        var reason = CouponCodes.Mask($"coupon {coupon.Code} ({coupon.Kind}{(coupon.OfferId.Length > 0 ? ", offer " + coupon.OfferId : "")}): {coupon.StatusReason}");
        Ledger.LedgerBook.Append(state, entries, at, LedgerKind, delta, live, reason, ruleId, eventId, occurredAt);
        state.Outbox.Add(new ArchiveLedgerEntry(entries[0]));
        Ledger.LedgerBook.Trim(state, options.LedgerEntriesKept);
    }

    internal static void Adopt(MemberState state, CouponBook book) => OffersOf(state).Coupons = book;

    private static bool RememberStore(MemberState state, MemberEvent evt)
    {
        if (string.IsNullOrWhiteSpace(evt.StoreId))
        {
            return false;
        }

        var purchases = OffersOf(state).StorePurchases;
        purchases.Add(new StorePurchase(evt.StoreId, evt.OccurredAt));
        purchases.Sort(static (a, b) => a.At.CompareTo(b.At));
        if (purchases.Count > MemberOfferState.MaxStorePurchases)
        {
            purchases.RemoveRange(0, purchases.Count - MemberOfferState.MaxStorePurchases);
        }

        return true;
    }

    /// <summary>
    /// A purchase's amount in CNY (the programme currency), converted at its currency's configured rate exactly as the
    /// purchase itself counts (CONTRACT.md §1, <see cref="Money.ToProgramme"/>): what a coupon's minSpend and discount,
    /// both CNY, are judged on. Why not, when the event's currency or amount is not accepted.
    /// </summary>
    private static (decimal Amount, string? Unconvertible) AmountInProgramme(MemberEvent evt, ProgramOptions options)
    {
        if (Money.Check(evt, options) is { } why)
        {
            return (0m, why);
        }

        return (evt.Amount is { } amount ? Money.ToProgramme(amount, Money.CurrencyOf(evt, options), options).Amount : 0m, null);
    }

    /// <summary>The effects queued since the outbox held <paramref name="mark"/> of them.</summary>
    internal static List<MemberEffect> Since(MemberState state, int mark) => state.Outbox.Since(mark);

    private static string Describe(Coupon coupon, decimal discount) =>
        string.Create(CultureInfo.InvariantCulture, $"coupon:{coupon.OfferId};kind:{coupon.Kind};discount:{discount:0.00}");
}
