using System.Globalization;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Offers;

/// <summary>
/// The coupons one member holds (CONTRACT.md §2.1), as a value: every operation returns a new book and leaves this one
/// untouched, so the member grain decides on it and adopts the result only after its state write succeeded. Bounded:
/// at most <c>maxCoupons</c> coupons; issuing into a full book first forgets the oldest spent (redeemed, expired,
/// voided) coupon, and refuses only when every coupon is still live.
/// </summary>
public sealed record CouponBook
{
    /// <summary>An empty book.</summary>
    public static readonly CouponBook Empty = new();

    /// <summary>How many codes of forgotten spent coupons <see cref="ForgottenCodes"/> keeps.</summary>
    public const int MaxForgottenCodes = 64;

    /// <summary>The coupons, oldest issued first.</summary>
    public IReadOnlyList<Coupon> Coupons { get; init; } = [];

    /// <summary>
    /// Codes of spent coupons the book has forgotten (after <see cref="OffersOptions.SpentCouponsKeptDays"/>, or to make
    /// room), newest last, at most <see cref="MaxForgottenCodes"/>. A code derives from member and grant, so a grant
    /// retried after its coupon was spent and forgotten is still a duplicate, not a second coupon (CONTRACT.md §2.1).
    /// </summary>
    public IReadOnlyList<string> ForgottenCodes { get; init; } = [];

    /// <summary>The coupon with this code (normalised), or null.</summary>
    public Coupon? Find(string code) =>
        CouponCodes.Normalize(code) is { } normal ? Coupons.FirstOrDefault(c => c.Code == normal) : null;

    /// <summary>The earliest instant an issued coupon expires (when the member should wake to expire it), or null.</summary>
    public DateTimeOffset? NextExpiry =>
        Coupons.Where(c => c.Status == CouponStatuses.Issued).Select(c => (DateTimeOffset?)c.ValidUntil).Min();

    /// <summary>
    /// Issued coupons whose expiry reminder is due at <paramref name="now"/>: from <paramref name="days"/> days before
    /// their expiry instant until it (<see cref="OffersOptions.ExpiryReminderDays"/>, default 3; 0 = none). The member
    /// sends one service touch per coupon, with touch id <c>coupon-expiry:{code}</c>, so a repeat is dropped.
    /// </summary>
    public IReadOnlyList<Coupon> DueForExpiryReminder(DateTimeOffset now, int days) =>
        days <= 0 ? [] : [.. Coupons.Where(c => c.Status == CouponStatuses.Issued && now >= c.ValidUntil.AddDays(-days) && now < c.ValidUntil)];

    /// <summary>
    /// The next instant this book needs the member awake after <paramref name="now"/>: an expiry reminder becoming due
    /// (<paramref name="reminderDays"/> before an expiry) or an expiry; null when no coupon is live.
    /// </summary>
    public DateTimeOffset? NextDueAfter(DateTimeOffset now, int reminderDays) =>
        Coupons.Where(c => c.Status == CouponStatuses.Issued)
            .SelectMany(c => reminderDays > 0 ? new[] { c.ValidUntil.AddDays(-reminderDays), c.ValidUntil } : [c.ValidUntil])
            .Where(at => at > now)
            .Select(at => (DateTimeOffset?)at)
            .Min();

    /// <summary>
    /// True when <see cref="Issue"/> of grant <paramref name="grantId"/> would not be refused as full: the grant's coupon
    /// is held already (a retry), or the book has fewer than <paramref name="maxCoupons"/> coupons or a spent one to forget.
    /// </summary>
    public bool HasRoomFor(string grantId, int maxCoupons) =>
        Coupons.Count < maxCoupons
        || Coupons.Any(c => c.Status != CouponStatuses.Issued || string.Equals(c.GrantId, grantId, StringComparison.Ordinal));

    /// <summary>
    /// Adds <paramref name="coupon"/>. A coupon whose code the book already holds is a retried grant: the book is
    /// unchanged and the held coupon comes back (<see cref="CouponIssueStatus.Duplicate"/>).
    /// </summary>
    public (CouponBook Book, CouponIssueOutcome Outcome) Issue(Coupon coupon, int maxCoupons)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        if (Find(coupon.Code) is { } held)
        {
            return (this, new(CouponIssueStatus.Duplicate, held, "this grant's coupon is already held"));
        }

        if (ForgottenCodes.Contains(coupon.Code, StringComparer.Ordinal))
        {
            return (this, new(CouponIssueStatus.Duplicate, null, "this grant's coupon was issued and spent before (since forgotten); it is not issued again"));
        }

        var coupons = Coupons.ToList();
        var forgotten = new List<Coupon>();
        while (coupons.Count >= maxCoupons)
        {
            var spent = coupons.Where(c => c.Status != CouponStatuses.Issued).OrderBy(c => c.StatusAt).FirstOrDefault();
            if (spent is null)
            {
                return (this, new(CouponIssueStatus.Full, null, $"the member already holds {coupons.Count} live coupons, the most allowed"));
            }

            coupons.Remove(spent);
            forgotten.Add(spent);
        }

        coupons.Add(coupon);
        return (this with { Coupons = coupons, ForgottenCodes = Remembering(forgotten) }, new(CouponIssueStatus.Issued, coupon, coupon.StatusReason));
    }

    /// <summary>
    /// Redeems coupon <paramref name="code"/> for <paramref name="redemptionId"/> at a store (the POS call). Idempotent
    /// (docs/offers.md §5): the same redemptionId from the same store on a coupon it already redeemed answers that
    /// acceptance again, replayed, with the discount in CNY it granted then, changing nothing; the same redemptionId from
    /// another store is another till, not a retry, and is refused as <see cref="CouponRefusals.Used"/>; with another
    /// orderAmount it is another request under a used id, refused <see cref="CouponRefusals.RedemptionIdReused"/> naming
    /// the field (as a points redemption's is); the same redemptionId on another coupon of the member is refused
    /// <see cref="CouponRefusals.RedemptionIdReused"/> naming <c>redemptionId</c> (<see cref="CouponRedemptionIds"/>). This holds also after a full refund restored the coupon: a late retry of the
    /// original call is replayed and leaves the restored coupon issued.
    /// </summary>
    public (CouponBook Book, CouponRedeemOutcome Outcome) Redeem(string code, string redemptionId, CouponOrder order, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (Find(code) is not { } coupon)
        {
            return (this, CouponRedeemOutcome.Refused(new(CouponRefusals.NotFound, "this member holds no coupon with that code")));
        }

        // A kept redemption answers for itself whatever the coupon's status since, also once a full refund restored it:
        // the retry of a spent call must not use the restored coupon up again.
        if (coupon.RedemptionOf(redemptionId) is { } earlier)
        {
            return (this, Replay(coupon, earlier, order));
        }

        if (coupon.Status == CouponStatuses.Redeemed && string.Equals(coupon.RedemptionId, redemptionId, StringComparison.Ordinal))
        {
            // A coupon redeemed before its redemptions were kept: its store, and the discount on the order named now.
            return (this, Replay(coupon, new CouponRedemption(redemptionId, coupon.StoreId, CouponPolicy.DiscountOn(coupon, order), coupon.StatusAt), order));
        }

        // The id redeemed another of the member's coupons: one redemption, not a second (CouponRedemptionIds).
        if (CouponRedemptionIds.UsedElsewhere(this, coupon, redemptionId) is { } reused)
        {
            return (this, CouponRedeemOutcome.Refused(reused, coupon));
        }

        if (CouponPolicy.CheckRedeem(coupon, order, now) is { } refusal)
        {
            return (this, CouponRedeemOutcome.Refused(refusal, coupon));
        }

        var discount = CouponPolicy.DiscountOn(coupon, order);
        var redeemed = (coupon.MoveTo(CouponStatuses.Redeemed, $"redeemed at store {order.StoreId} by redemption {redemptionId}", now)
            with { RedemptionId = redemptionId, StoreId = order.StoreId }).WithRedemption(new(redemptionId, order.StoreId, discount, now, order.Amount));
        return (Replace(redeemed), new CouponRedeemOutcome(redeemed, null, discount, Replayed: false) { Redemption = redeemed.Redemptions[^1] });
    }

    /// <summary>
    /// The answer to <paramref name="earlier"/>'s redemptionId presented again: from its store, the acceptance it had
    /// (replayed, its discount in CNY); from another store, refused as used.
    /// </summary>
    private static CouponRedeemOutcome Replay(Coupon coupon, CouponRedemption earlier, CouponOrder order) =>
        !string.Equals(earlier.StoreId, order.StoreId, StringComparison.Ordinal)
            ? CouponRedeemOutcome.Refused(new(CouponRefusals.Used,
                $"redemption {earlier.RedemptionId} already used this coupon at store {earlier.StoreId}; the same redemptionId from store {order.StoreId} is another redemption, not a retry") { Field = "storeId" }, coupon)
            : earlier.OrderAmount is { } amount && amount != order.Amount
                ? CouponRedeemOutcome.Refused(new(CouponRefusals.RedemptionIdReused, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"orderAmount: redemptionId {earlier.RedemptionId} was already used with orderAmount {amount:0.00} CNY, not {order.Amount:0.00}; a retry sends the same request, another order takes another redemptionId")) { Field = "orderAmount" }, coupon)
                : new CouponRedeemOutcome(coupon, null, earlier.Discount, Replayed: true) { Redemption = earlier, ReplayDetail = CouponReplays.Describe(coupon, earlier) };

    /// <summary>
    /// Confirms coupon <paramref name="code"/> by a purchase that names it in <c>coupons</c> (CONTRACT.md §1), as of the
    /// purchase's <paramref name="occurredAt"/>: a coupon the POS already redeemed gets the order attached when the order
    /// is at the same store (at another store it is already used); an issued one
    /// is redeemed by the order (also when a late purchase falls inside a window that has since ended); the same order
    /// again changes nothing. A refusal is reported and the purchase itself still applies.
    /// </summary>
    public (CouponBook Book, CouponRedeemOutcome Outcome) ConfirmByPurchase(string code, string orderId, CouponOrder order, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (Find(code) is not { } coupon)
        {
            return (this, CouponRedeemOutcome.Refused(new(CouponRefusals.NotFound, "this member holds no coupon with that code")));
        }

        if (coupon.Status == CouponStatuses.Redeemed)
        {
            if (OrderIds.Same(coupon.OrderId, orderId))
            {
                return (this, new CouponRedeemOutcome(coupon, null, CouponPolicy.DiscountOn(coupon, order), Replayed: true));
            }

            // Only an order at the store the POS redeemed it at is that redemption's: the coupon used again offline
            // elsewhere is a second use (attached, a refund of that order would restore it for a third). An order
            // naming no store (storeId is optional, CONTRACT.md §1) cannot be told apart from it and confirms it.
            if (coupon.OrderId is null && (coupon.StoreId is null || order.StoreId is null || string.Equals(coupon.StoreId, order.StoreId, StringComparison.Ordinal)))
            {
                var confirmed = coupon with { OrderId = orderId, StatusReason = coupon.StatusReason + $"; confirmed by order {orderId}" };
                return (Replace(confirmed), new CouponRedeemOutcome(confirmed, null, CouponPolicy.DiscountOn(confirmed, order), Replayed: false));
            }
        }

        // A late purchase is judged as of its own time: a coupon the clock expired since was still valid then, and so was
        // one support voided by a reissue after it (the till gave the discount; the replacement goes, CouponReissues.AfterLateUse).
        var asOfThen = IssuedAt(coupon, occurredAt) ? coupon with { Status = CouponStatuses.Issued } : coupon;
        if (CouponPolicy.CheckRedeem(asOfThen, order, occurredAt) is { } refusal)
        {
            return (this, CouponRedeemOutcome.Refused(refusal, coupon));
        }

        var redeemed = coupon.MoveTo(CouponStatuses.Redeemed, $"redeemed by order {orderId} at store {order.StoreId}", occurredAt)
            with { OrderId = orderId, StoreId = order.StoreId };
        return (Replace(redeemed), new CouponRedeemOutcome(redeemed, null, CouponPolicy.DiscountOn(redeemed, order), Replayed: false));
    }

    /// <summary>
    /// True when <paramref name="coupon"/>, expired or voided now, was still issued at <paramref name="at"/>: before its
    /// expiry instant, and for a voided one before it was voided by a reissue (<see cref="CouponReissues.ReplacementOf"/>)
    /// or, a replacement, for the late use of its original (<see cref="Coupon.VoidedForLateOrderId"/>: a double use).
    /// </summary>
    private bool IssuedAt(Coupon coupon, DateTimeOffset at) => coupon.Status switch
    {
        CouponStatuses.Expired => at < coupon.ValidUntil,
        CouponStatuses.Voided => at < coupon.ValidUntil && at < coupon.StatusAt
            && (coupon.VoidedForLateOrderId is not null || CouponReissues.ReplacementOf(this, coupon.Code) is not null),
        _ => false,
    };

    /// <summary>
    /// After order <paramref name="orderId"/> was refunded in full: its coupons are issued again when
    /// <paramref name="restore"/> is on (<see cref="OffersOptions.RestoreCouponsOnFullRefund"/>) and they are still
    /// valid at <paramref name="now"/>; the others stay redeemed. A restored coupon keeps its
    /// <see cref="Coupon.Redemptions"/>, so a retry of the POS call that spent it is replayed, not a new use (docs/offers.md
    /// §5). A reissue's family gives its value once: a coupon whose reissue original or replacement is redeemed stays
    /// redeemed (the member used the value on that one), and when the order was a late use that voided the replacement
    /// (<see cref="Coupon.VoidedForLateOrderId"/>), that replacement is issued again while valid instead of the original,
    /// which support withdrew, so the member holds exactly one live coupon. A family coupon counts as redeemed only while
    /// its order is not refunded in full (<paramref name="fullyRefunded"/>, by order id; null: none is), so refunding both uses of a
    /// double use gives the value back once, and the outcome does not depend on which late order arrived first.
    /// Returns the coupons issued again.
    /// </summary>
    public (CouponBook Book, IReadOnlyList<Coupon> Restored) RestoreForFullRefund(string orderId, DateTimeOffset now, bool restore, Func<string?, bool>? fullyRefunded = null)
    {
        fullyRefunded ??= static _ => false;
        if (!restore)
        {
            return (this, []);
        }

        var restored = new List<Coupon>();
        var book = this;
        foreach (var coupon in Coupons.Where(c => c.Status == CouponStatuses.Redeemed && OrderIds.Same(c.OrderId, orderId)))
        {
            // Another use of the family stands (its order not refunded): the member had the value there; nothing comes back.
            var family = FamilyOf(coupon);
            if (family.Any(c => c.Status == CouponStatuses.Redeemed && c.Code != coupon.Code && !fullyRefunded(c.OrderId)))
            {
                continue;
            }

            // The replacement this late use withdrew comes back while it is valid: its window, not the original's, counts.
            var withdrawn = family.Where(c => c.Status == CouponStatuses.Voided && OrderIds.Same(c.VoidedForLateOrderId, orderId)).ToList();
            if (withdrawn.Count > 0)
            {
                foreach (var replacement in withdrawn.Where(c => now < c.ValidUntil))
                {
                    var back = replacement.MoveTo(CouponStatuses.Issued, $"issued again: late order {orderId}, which used {coupon.Code} and voided this replacement, was refunded in full", now)
                        with { VoidedForLateOrderId = null };
                    book = book.Replace(back);
                    restored.Add(back);
                }

                continue;
            }

            if (now >= coupon.ValidUntil)
            {
                continue;
            }

            var again = coupon.MoveTo(CouponStatuses.Issued, $"restored: order {orderId} was refunded in full", now)
                with { OrderId = null, RedemptionId = null, StoreId = null };
            book = book.Replace(again);
            restored.Add(again);
        }

        return (book, restored);
    }

    /// <summary>
    /// <paramref name="coupon"/>'s reissue family: the coupons it was reissued from and those reissued from it, linked
    /// by grant id <c>reissue:{code}</c> (<see cref="CouponReissues.GrantIdFor"/>), itself included.
    /// </summary>
    internal IReadOnlyList<Coupon> FamilyOf(Coupon coupon)
    {
        var prefix = CouponReissues.GrantIdFor("");
        var family = new Dictionary<string, Coupon>(StringComparer.Ordinal) { [coupon.Code] = coupon };
        var todo = new Stack<Coupon>([coupon]);
        while (todo.TryPop(out var next))
        {
            var original = next.GrantId.StartsWith(prefix, StringComparison.Ordinal) ? Find(next.GrantId[prefix.Length..]) : null;
            foreach (var linked in new[] { original, CouponReissues.ReplacementOf(this, next.Code) })
            {
                if (linked is not null && family.TryAdd(linked.Code, linked))
                {
                    todo.Push(linked);
                }
            }
        }

        return [.. family.Values];
    }

    /// <summary>Voids an issued coupon (an offer withdrawn, fraud) for <paramref name="reason"/>; a spent one is refused.</summary>
    public (CouponBook Book, CouponRedeemOutcome Outcome) Void(string code, string reason, DateTimeOffset now)
    {
        if (Find(code) is not { } coupon)
        {
            return (this, CouponRedeemOutcome.Refused(new(CouponRefusals.NotFound, "this member holds no coupon with that code")));
        }

        if (coupon.Status != CouponStatuses.Issued)
        {
            return (this, CouponRedeemOutcome.Refused(new(coupon.Status == CouponStatuses.Expired ? CouponRefusals.Expired : coupon.Status == CouponStatuses.Voided ? CouponRefusals.Voided : CouponRefusals.Used, $"only an issued coupon can be voided; this one is {coupon.Status}"), coupon));
        }

        var voided = coupon.MoveTo(CouponStatuses.Voided, "voided: " + reason, now);
        return (Replace(voided), new CouponRedeemOutcome(voided, null, 0m, Replayed: false));
    }

    /// <summary>Moves every issued coupon whose validity ended by <paramref name="now"/> to expired; returns those.</summary>
    public (CouponBook Book, IReadOnlyList<Coupon> Expired) ExpireDue(DateTimeOffset now)
    {
        var due = Coupons.Where(c => c.Status == CouponStatuses.Issued && now >= c.ValidUntil).ToList();
        if (due.Count == 0)
        {
            return (this, []);
        }

        var book = this;
        var expired = new List<Coupon>(due.Count);
        foreach (var coupon in due)
        {
            var moved = coupon.MoveTo(CouponStatuses.Expired, string.Create(CultureInfo.InvariantCulture, $"validity ended at {coupon.ValidUntil:yyyy-MM-dd HH:mm:ss zzz}"), coupon.ValidUntil);
            book = book.Replace(moved);
            expired.Add(moved);
        }

        return (book, expired);
    }

    /// <summary>The book without spent coupons whose status dates from before <paramref name="before"/> (live ones are kept).</summary>
    public CouponBook ForgetSpentBefore(DateTimeOffset before)
    {
        bool Spent(Coupon c) => c.Status != CouponStatuses.Issued && c.StatusAt < before;
        var gone = Coupons.Where(Spent).ToList();
        return gone.Count == 0
            ? this
            : this with { Coupons = [.. Coupons.Where(c => !Spent(c))], ForgottenCodes = Remembering(gone) };
    }

    /// <summary><see cref="ForgottenCodes"/> with the codes of <paramref name="gone"/> added, the oldest dropped past the bound.</summary>
    private IReadOnlyList<string> Remembering(List<Coupon> gone) =>
        gone.Count == 0 ? ForgottenCodes : [.. ForgottenCodes.Concat(gone.Select(c => c.Code)).TakeLast(MaxForgottenCodes)];

    /// <summary>This book with <paramref name="coupon"/> in place of the coupon of the same code.</summary>
    internal CouponBook Replace(Coupon coupon) =>
        this with { Coupons = [.. Coupons.Select(c => c.Code == coupon.Code ? coupon : c)] };
}

/// <summary>What an issue did.</summary>
public enum CouponIssueStatus
{
    /// <summary>Added to the book.</summary>
    Issued,

    /// <summary>The grant had issued it before; nothing changed.</summary>
    Duplicate,

    /// <summary>Refused: the book is full of live coupons.</summary>
    Full,
}

/// <summary>The outcome of an issue: status, the held coupon (null when refused), why.</summary>
public sealed record CouponIssueOutcome(CouponIssueStatus Status, Coupon? Coupon, string Detail);

/// <summary>
/// The outcome of a redeem, confirm or void: the coupon (as it now is; null when the member holds no such code), the
/// refusal if refused, the discount in CNY it gives on the order, and whether this repeats an earlier acceptance.
/// </summary>
public sealed record CouponRedeemOutcome(Coupon? Coupon, CouponRefusal? Refusal, decimal Discount, bool Replayed)
{
    public bool Accepted => Refusal is null;

    /// <summary>The POS redemption accepted or replayed (<see cref="CouponReplays"/>); null for a refusal and a purchase's confirm.</summary>
    public CouponRedemption? Redemption { get; init; }

    /// <summary>For a replay: what the replayed redemption was and, when the coupon changed since, what it is now (<see cref="CouponReplays.Describe"/>).</summary>
    public string? ReplayDetail { get; init; }

    public static CouponRedeemOutcome Refused(CouponRefusal refusal, Coupon? coupon = null) => new(coupon, refusal, 0m, Replayed: false);
}
