using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// One purchase: what it cost, what it earned, what has been refunded, and its points lot.
/// </summary>
/// <remarks>
/// The lot lives on the order rather than in a list of its own because a busy member has hundreds
/// of both and each carries the same id and instant; one record keeps a 300-purchase year well
/// inside the state budget. Purchase growth is derived from these records too (floor(amount) −
/// floor(refunded) on the purchase's local day), so a refund reverses growth on the day it was earned.
/// In JSON an order is a positional array (see <see cref="OrderRecordJsonConverter"/>): property
/// names would be most of the bytes of a busy member's state.
/// </remarks>
[JsonConverter(typeof(OrderRecordJsonConverter))]
public sealed class OrderRecord
{
    /// <summary>
    /// The order (or lot) id as the member keeps it (<see cref="OrderIds.Key"/>): as sent when short, else its fixed-size key;
    /// set to either, it holds the kept one, so an order stored with its full id reads back under its key.
    /// </summary>
    public string OrderId { get; set => field = OrderIds.Key(value); } = "";

    /// <summary>The purchase's occurredAt; the lot's earned-at.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Order amount in CNY.</summary>
    public decimal Amount { get; set; }

    /// <summary>Points the purchase earned (the lot's original size).</summary>
    public long Points { get; set; }

    /// <summary>Points of the lot not yet redeemed, expired or reversed.</summary>
    public long Remaining { get; set; }

    /// <summary>The lot expires at this exact instant (<c>now ≥ ExpiresAt</c> means expired).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// Points of the lot that expired and that no refund has reversed yet. A refund takes its reversal from the lot's
    /// remaining points, then from these (gone already: nobody is charged for them), and only then from the member's
    /// other lots or as debt (CONTRACT.md §2: only points already spent drive the balance negative). Lots that expired
    /// before this was kept count 0.
    /// </summary>
    public long Expired { get; set; }

    /// <summary>Cumulative refunded amount.</summary>
    public decimal Refunded { get; set; }

    /// <summary>Cumulative points reversed by refunds; reversals are computed on the cumulative refund so rounding never over-reverses.</summary>
    public long PointsReversed { get; set; }

    /// <summary>
    /// Refund event ids applied to this order; de-duplicates them for as long as the order is kept (CONTRACT.md §1). Held,
    /// stored and read back as <see cref="OrderIds.Key"/> keeps them (a long id as its fixed-size key; ids stored before keys
    /// were kept are full): compare with <see cref="OrderIds.Contains"/>.
    /// </summary>
    public List<string>? RefundEventIds { get; set; }

    /// <summary>When the 30-days-before expiry notice for this lot went out.</summary>
    public DateTimeOffset? NoticeSentAt { get; set; }

    /// <summary>Set when the purchase was priced in another currency: what was paid, at which rate (CONTRACT.md §1).</summary>
    public ForeignAmount? Foreign { get; set; }

    /// <summary>
    /// When each refund occurred and how much of <see cref="Refunded"/> (programme currency) it took, in the order applied;
    /// the tier held at an instant counts only refunds that occurred by then (at the same instant included) (CONTRACT.md §1.1). Refunds applied
    /// before this was kept are not listed: they count from the purchase on.
    /// </summary>
    public List<RefundMark>? RefundMarks { get; set; }

    public decimal Unrefunded => Amount - Refunded;

    /// <summary>Refunded amount counting only refunds that occurred at or before <paramref name="at"/>.</summary>
    public decimal RefundedBy(DateTimeOffset at) => RefundMark.RefundedBy(Refunded, RefundMarks, at);

    /// <summary>Growth the purchase contributes for a purchase at <paramref name="at"/>: floor(amount) − floor(refunded by then).</summary>
    public long NetGrowthBy(DateTimeOffset at) => (long)decimal.Floor(Amount) - (long)decimal.Floor(RefundedBy(at));

    /// <summary>Growth the purchase still contributes after refunds.</summary>
    public long NetGrowth => (long)decimal.Floor(Amount) - (long)decimal.Floor(Refunded);

    public bool FullyRefunded => Refunded >= Amount;

    /// <summary>
    /// A points lot granted without a purchase (a manual adjustment, a points offer): amount 0 CNY, so it earned
    /// nothing by the earning rule and must never be re-priced by a late event's corrections.
    /// </summary>
    public bool IsBonusLot => Amount == 0m;
}

/// <summary>A purchase priced in a configured currency other than the programme's; <see cref="OrderRecord.Amount"/> holds its conversion.</summary>
public sealed class ForeignAmount
{
    /// <summary>ISO 4217 code, e.g. <c>USD</c>.</summary>
    public string Currency { get; set; } = "";

    /// <summary>The order amount in <see cref="Currency"/>.</summary>
    public decimal Amount { get; set; }

    /// <summary>Programme-currency units per unit of <see cref="Currency"/>, as configured when the purchase was applied; its refunds use it too.</summary>
    public decimal Rate { get; set; }

    /// <summary>Cumulative refunded amount in <see cref="Currency"/>.</summary>
    public decimal Refunded { get; set; }
}

/// <summary>One refund of an order: when it occurred and how much (programme currency) it refunded.</summary>
public sealed record RefundMark(DateTimeOffset At, decimal Amount)
{
    /// <summary>
    /// The cumulative <paramref name="refunded"/> amount (programme currency) less the <paramref name="marks"/> that occurred
    /// after <paramref name="at"/> (compared as UTC instants): what was refunded by then (CONTRACT.md §1.1). Refunds without a
    /// mark count from the purchase on.
    /// </summary>
    public static decimal RefundedBy(decimal refunded, IReadOnlyList<RefundMark>? marks, DateTimeOffset at)
    {
        if (marks is null)
        {
            return refunded; // the usual order, never refunded: no empty list made for it
        }

        foreach (var mark in marks)
        {
            if (mark.At.UtcTicks > at.UtcTicks)
            {
                refunded -= mark.Amount;
            }
        }

        return refunded;
    }

    /// <summary>
    /// The marks of <paramref name="marks"/> that occurred after the purchase at <paramref name="purchasedAt"/>, in their order,
    /// or null when none: only those change what was refunded by an instant the order counts at (one at or before the
    /// purchase counts from the purchase on, as an unmarked refund does).
    /// </summary>
    public static List<RefundMark>? After(IReadOnlyList<RefundMark>? marks, DateTimeOffset purchasedAt)
    {
        List<RefundMark>? after = null;
        foreach (var mark in marks ?? [])
        {
            if (mark.At.UtcTicks > purchasedAt.UtcTicks)
            {
                (after ??= []).Add(mark);
            }
        }

        return after;
    }
}
