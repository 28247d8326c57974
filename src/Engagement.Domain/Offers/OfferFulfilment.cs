using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// Every offer the engine makes is fulfilled, not only announced (CONTRACT.md §2.1): the win-back L1 wake-up gift and
/// campaign coupon offers become coupons in the member's book, points offers become a points lot with a ledger entry
/// (reason and rule id), benefit offers become a benefit grant with its usage record. Each grant's id is deterministic
/// (<c>winback:L1:{episode}</c>, <c>campaign:{campaignId}</c>), so a retry finds what it granted and grants nothing twice.
/// </summary>
public static class OfferFulfilment
{
    /// <summary>Rule id of a points offer's ledger entry.</summary>
    public const string PointsOfferRule = "points.offer";

    /// <summary>Offer kinds (the campaign offer's <c>kind</c>).</summary>
    public const string CouponKind = "coupon";

    /// <inheritdoc cref="CouponKind"/>
    public const string PointsKind = "points";

    /// <inheritdoc cref="CouponKind"/>
    public const string BenefitKind = "benefit";

    /// <summary>
    /// Fulfils the offer of a touch the tick is about to decide: win-back L1 issues the wake-up gift coupon
    /// (<see cref="OffersOptions.WinBackGift"/>, grant <c>winback:L1:{episode}</c>), the birthday benefit touch the birthday
    /// coupon (<see cref="OffersOptions.BirthdayCoupon"/>, grant <c>birthday:{year}</c>); the request comes back carrying
    /// the coupon's code. Other touches, a template set to null, or no coupon secret leave the request as it is. A template
    /// tied to skus reaches here only once stock was found near the member: the tick holds its touch otherwise
    /// (<see cref="GoodsTiedCoupons.HoldFor"/>).
    /// </summary>
    public static TouchRequest ForTouch(MemberState state, TouchRequest request, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        var (template, grantId) = TouchGrant(request, offers, options);
        if (template is null || !offers.CanIssue)
        {
            return request;
        }

        var outcome = MemberCoupons.Issue(state, template, grantId, offers, options, now);
        return outcome.Reply.Coupon is { } coupon ? request with { CouponCode = coupon.Code } : request;
    }

    /// <summary>
    /// The coupon template a touch's offer issues and the grant id it issues it under: the win-back L1 gift
    /// (<c>winback:L1:{episode}</c>), the birthday coupon (<c>birthday:{year}</c>); (null, "") for any other touch or a
    /// template set to null.
    /// </summary>
    public static (CouponTemplate? Template, string GrantId) TouchGrant(TouchRequest request, OffersOptions offers, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(options);
        return request switch
        {
            { Level: 1 } when request.Kind == options.Lifecycle.Level1.Kind => (offers.WinBackGift, "winback:L1:" + request.DedupeKey),
            { Kind: TouchKinds.BirthdayBenefit } => (offers.BirthdayCoupon, "birthday:" + request.DedupeKey),
            _ => (null, ""),
        };
    }

    /// <summary>
    /// Grants a campaign's offer to a member of one of its arms whose touch was sent or deferred (a suppressed touch
    /// grants nothing; control groups never get here). Coupon: the offer's <paramref name="coupon"/> template, else a
    /// no-threshold coupon worth the offer's unit cost, else a gift coupon naming the offer's code. Points: a lot of
    /// <paramref name="points"/> expiring like a purchase's, ledger reason naming the campaign, rule
    /// <see cref="PointsOfferRule"/>. Benefit: a grant record of the offer's code. Returns what was granted.
    /// Granted at <paramref name="now"/> (the coupon's validity and the lot's expiry run from then); the coupon's and the
    /// points' ledger entries are dated (occurredAt, UTC) at <paramref name="occurredAt"/> when an event fired the campaign
    /// (a triggered campaign: the purchase's occurredAt, so a late purchase whose tier move fulfils it reads on the sale's
    /// day, CONTRACT.md §1.1); null: at <paramref name="now"/> (a broadcast's delivery).
    /// </summary>
    public static OfferGrant Campaign(
        MemberState state, string campaignId, string kind, string code, decimal unitCost, long? points, CouponTemplate? coupon,
        OffersOptions offers, ProgramOptions options, DateTimeOffset now, DateTimeOffset? occurredAt = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(options);
        var grantId = "campaign:" + campaignId;
        switch (kind)
        {
            case CouponKind when offers.CanIssue:
                var template = (coupon ?? DefaultCoupon(code, unitCost)) with { OfferId = string.IsNullOrEmpty(coupon?.OfferId) ? campaignId : coupon.OfferId };
                var issued = MemberCoupons.Issue(state, template, grantId, offers, options, now, occurredAt: occurredAt);
                return new OfferGrant(kind, issued.Reply.Coupon?.Code, 0, issued.Reply.Coupon is null ? issued.Reply.Detail : $"coupon {issued.Reply.Coupon.Code}", []);
            case CouponKind:
                return new OfferGrant(kind, null, 0, $"{OffersOptions.SectionName}:CouponSecret is not set: no coupon issued", []);
            case PointsKind when points is > 0:
                return CreditPoints(state, grantId, $"campaign {campaignId} offer {code}", points.Value, options, now, occurredAt);
            case BenefitKind:
                return GrantBenefit(state, grantId, code, $"granted by campaign {campaignId}", now);
            default:
                return new OfferGrant(kind, null, 0, $"nothing to grant for a {kind} offer", []);
        }
    }

    /// <summary>
    /// The start of a points offer's lot id among the member's orders (<c>offer|{grantId}</c>), also its ledger entry's event
    /// id. Reserved: a purchase or refund orderId may not start with it (<see cref="OrderBook.IsReservedOrderId"/>; the wire
    /// validator holds the same prefix).
    /// </summary>
    public const string PointsLotPrefix = "offer|";

    /// <summary>
    /// Credits <paramref name="points"/> as a lot expiring <see cref="ProgramOptions.PointsLifetimeMonths"/> after now,
    /// with a ledger entry (reason, rule <see cref="PointsOfferRule"/>, event id <c>offer|{grantId}</c>) queued for the
    /// archive, recorded at <paramref name="now"/> and dated at <paramref name="occurredAt"/> (the event that caused the grant;
    /// null: <paramref name="now"/>). A grant id already credited changes nothing.
    /// </summary>
    public static OfferGrant CreditPoints(
        MemberState state, string grantId, string reason, long points, ProgramOptions options, DateTimeOffset now, DateTimeOffset? occurredAt = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var lotId = PointsLotPrefix + grantId;
        if (OrderBook.IsKept(state, lotId)) // in full or, once the count cap took it out, as a summary
        {
            return new OfferGrant(PointsKind, null, 0, "already credited", []);
        }

        var lot = new OrderRecord { OrderId = lotId, At = now, Amount = 0m, Points = points, ExpiresAt = PointsWallet.ExpiryOf(state, options, now) };
        state.Orders.Add(lot);
        PointsWallet.AddLot(state, lot);
        var entries = new List<LedgerEntry>(1);
        LedgerBook.Append(state, entries, now, LedgerKinds.Points, points, PointsWallet.Balance(state),
            string.Create(CultureInfo.InvariantCulture, $"{points} points: {reason}"), PointsOfferRule, lotId, occurredAt);
        state.Outbox.Add(new ArchiveLedgerEntry(entries[0]));
        LedgerBook.Trim(state, options.LedgerEntriesKept);
        return new OfferGrant(PointsKind, null, points, string.Create(CultureInfo.InvariantCulture, $"{points} points credited"), entries);
    }

    /// <summary>Records a non-monetary benefit grant (priority booking, dedicated advisor, birthday class); a repeat of the id changes nothing.</summary>
    public static OfferGrant GrantBenefit(MemberState state, string useId, string code, string detail, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var uses = MemberCoupons.OffersOf(state).BenefitUses;
        if (uses.Exists(u => u.UseId == useId))
        {
            return new OfferGrant(BenefitKind, null, 0, "already granted", []);
        }

        // Trimmed as every use is: the oldest use first, so a grant that still entitles the member is not pushed out.
        BenefitUses.Add(uses, new BenefitUse(useId, code, BenefitUseKinds.Granted, now, detail));

        return new OfferGrant(BenefitKind, null, 0, $"benefit {code} {detail}", []);
    }

    /// <summary>
    /// The instant (UTC) applied event <paramref name="decision"/> moved the member up a tier in event time: its last
    /// upgrade's <see cref="TierChange.ReachedAt"/>; null when the event made no upgrade, or a later move of the same event
    /// is a <see cref="RuleIds.TierDowngradeRefund"/> (a held refund applied with the purchase dropped the tier again). A
    /// later grace downgrade (the late upgrade's tier has aged out since, CONTRACT.md §1.1) keeps the reach: the member did
    /// hold the tier from then.
    /// </summary>
    public static DateTimeOffset? TierReachedAt(EventDecision decision) => ReachingUpgrade(decision)?.ReachedAt?.ToUniversalTime();

    /// <summary>
    /// The tier the member left with the upgrade <see cref="TierReachedAt"/> reads (its <see cref="TierChange.From"/>); null
    /// when that gives null. A campaign whose audience already held that tier was not brought about by the move.
    /// </summary>
    public static string? TierReachedFrom(EventDecision decision) => ReachingUpgrade(decision) is { ReachedAt: not null } up ? up.From : null;

    /// <summary>The event's last upgrade, unless a move of it before or after it is a refund drop (then it only undoes that drop, or was undone by it); null when none.</summary>
    private static TierChange? ReachingUpgrade(EventDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var changes = decision.TierChanges;
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            if (changes[i].RuleId == RuleIds.TierDowngradeRefund)
            {
                return null;
            }

            if (changes[i].IsUpgrade)
            {
                // After a refund drop of the same event it only lifts the member back to where it was in order (a late refund
                // replayed, TierPolicy.RegainsBetween): no move up the live tier did not already hold.
                return changes.Take(i).Any(static c => c.RuleId == RuleIds.TierDowngradeRefund) ? null : changes[i];
            }
        }

        return null;
    }

    /// <summary>
    /// When a triggered campaign's grant took effect, the instant (UTC) to date its ledger entries at (<see cref="Campaign"/>'s
    /// <c>occurredAt</c>; CONTRACT.md §1.1): the firing event's <paramref name="occurredAt"/>, or, for a campaign whose
    /// audience names tiers (<paramref name="audienceTiers"/> non-empty), the instant the event moved the member up
    /// (<see cref="TierReachedAt"/>) when later: a late purchase that only completed the growth of one made after it
    /// qualified the member then, not at its own sale. Not when the audience already names the tier the member moved up
    /// from (<paramref name="reachedFrom"/>, <see cref="TierReachedFrom"/>): the move did not bring that grant about. Null
    /// <paramref name="occurredAt"/> (no event): null.
    /// </summary>
    public static DateTimeOffset? EffectiveAt(DateTimeOffset? occurredAt, DateTimeOffset? tierReachedAt, IReadOnlyCollection<string>? audienceTiers, string? reachedFrom = null)
    {
        if (occurredAt is not { } at)
        {
            return null;
        }

        var moveQualified = audienceTiers is { Count: > 0 } && (reachedFrom is null || !audienceTiers.Contains(reachedFrom, StringComparer.Ordinal));
        return (moveQualified && tierReachedAt is { } reached && reached > at ? reached : at).ToUniversalTime();
    }

    private static CouponTemplate DefaultCoupon(string code, decimal unitCost) => unitCost > 0
        ? new CouponTemplate { Kind = CouponKinds.NoThreshold, Value = decimal.Round(unitCost, 2), Gift = null, ValidDays = 14 }
        : new CouponTemplate { Kind = CouponKinds.Gift, Value = 0, Gift = code, ValidDays = 14 };
}

/// <summary>What a fulfilment granted: the offer kind, the coupon code issued, points credited, a sentence, ledger entries written.</summary>
public sealed record OfferGrant(string Kind, string? CouponCode, long Points, string Detail, IReadOnlyList<LedgerEntry> Entries);

/// <summary>Values of <see cref="BenefitUse.Kind"/>.</summary>
public static class BenefitUseKinds
{
    /// <summary>The benefit was granted (by a campaign, a tier, a birthday).</summary>
    public const string Granted = "granted";

    /// <summary>The member used it (a booking slot reserved, an advisor assigned).</summary>
    public const string Used = "used";
}
