using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// What is kept of an order the count cap (<see cref="Program.ProgramOptions.MaxOrders"/>) took out of
/// <see cref="Members.MemberState.Orders"/> before the end of its retention (<see cref="Program.ProgramOptions.OrderRetentionDays"/>):
/// enough to recognise a re-sent purchase or refund as a duplicate, to apply a later refund and to re-price it for a late
/// event exactly as if the order were still kept (CONTRACT.md §1: duplicates are recognised as long as their order is kept,
/// at least 400 days; §1.1 event time; §2 refunds). Its points lot was spent (nothing remains), and its growth, net of all
/// its refunds, sits in the day bucket of its member-local day; <see cref="RefundMarks"/> gives back, for the tier held
/// before a refund occurred, what that refund took.
/// </summary>
/// <remarks>
/// In JSON a summary is a positional array (see <see cref="OrderSummaryJsonConverter"/>): about 80 bytes for a plain
/// purchase with a 36-character orderId, about 133 with one refund id of that length, about 151 to 172 when that refund occurred
/// after the purchase (its mark kept: 151 an hour after a whole-second purchase, 172 some 300 days after with 7-digit
/// fractions on both instants); a full order with its lot and that refund is about 207 to 232.
/// </remarks>
[JsonConverter(typeof(OrderSummaryJsonConverter))]
public sealed class OrderSummary
{
    /// <summary>
    /// The order id (a purchase's orderId, or an internal lot id such as <c>adjustment|…</c>, <c>offer|…</c>) as the member
    /// keeps it (<see cref="OrderIds.Key"/>): set to the id as sent or to its key, it holds the kept one.
    /// </summary>
    public string OrderId { get; set => field = OrderIds.Key(value); } = "";

    /// <summary>The purchase's occurredAt (or the instant a bonus lot was credited).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Order amount in the programme currency (CNY); 0 for a bonus lot.</summary>
    public decimal Amount { get; set; }

    /// <summary>Points the order earned (its lot's size).</summary>
    public long Points { get; set; }

    /// <summary>Cumulative refunded amount, programme currency.</summary>
    public decimal Refunded { get; set; }

    /// <summary>Cumulative points reversed by refunds.</summary>
    public long PointsReversed { get; set; }

    /// <summary>Points of the lot that expired and no refund has reversed yet (a refund does not charge them again).</summary>
    public long Expired { get; set; }

    /// <summary>
    /// Refund event ids applied to the order (at most <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/>), each as applied or
    /// as stored (<see cref="OrderIds.Key"/>; compare with <see cref="OrderIds.Contains"/>); null when none.
    /// </summary>
    public List<string>? RefundEventIds { get; set; }

    /// <summary>Set when the purchase was paid in another currency: its amount, rate and refunds in it.</summary>
    public ForeignAmount? Foreign { get; set; }

    /// <summary>
    /// When each refund that occurred after the purchase occurred and how much of <see cref="Refunded"/> (programme currency)
    /// it took, in the order applied (<see cref="OrderRecord.RefundMarks"/> less those at or before the purchase, which count
    /// from the purchase on either way); null when none. The tier held at an instant counts only the refunds that occurred
    /// by then (CONTRACT.md §1.1, §2), summarised or not. Summaries stored before these were kept have none: their refunds
    /// count from the purchase on.
    /// </summary>
    public List<RefundMark>? RefundMarks { get; set; }

    /// <summary>Unrefunded amount, programme currency.</summary>
    public decimal Unrefunded => Amount - Refunded;

    /// <summary>True when the whole amount was refunded.</summary>
    public bool FullyRefunded => Refunded >= Amount;

    /// <summary>Growth the order still contributes (in its day bucket): floor(amount) − floor(refunded).</summary>
    public long NetGrowth => (long)decimal.Floor(Amount) - (long)decimal.Floor(Refunded);

    /// <summary>
    /// Growth the order contributed for a purchase at <paramref name="at"/>: floor(amount) − floor(refunded by then), counting
    /// only the refunds that occurred at or before <paramref name="at"/> (<see cref="RefundMarks"/>); at least <see cref="NetGrowth"/>.
    /// </summary>
    public long NetGrowthBy(DateTimeOffset at) => (long)decimal.Floor(Amount) - (long)decimal.Floor(RefundMark.RefundedBy(Refunded, RefundMarks, at));

    /// <summary>The summary of <paramref name="order"/>, whose lot has nothing left.</summary>
    public static OrderSummary Of(OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new OrderSummary
        {
            OrderId = order.OrderId,
            At = order.At,
            Amount = order.Amount,
            Points = order.Points,
            Refunded = order.Refunded,
            PointsReversed = order.PointsReversed,
            Expired = order.Expired,
            RefundEventIds = order.RefundEventIds is { Count: > 0 } ids ? ids : null,
            Foreign = order.Foreign,
            RefundMarks = RefundMark.After(order.RefundMarks, order.At),
        };
    }

    /// <summary>
    /// The full order again (its lot empty, expiring at <paramref name="expiresAt"/>), for a refund to apply to or a late event
    /// to re-price, with the summary's <see cref="RefundMarks"/>.
    /// </summary>
    public OrderRecord ToOrder(DateTimeOffset expiresAt) => new()
    {
        OrderId = OrderId,
        At = At,
        Amount = Amount,
        Points = Points,
        Remaining = 0,
        ExpiresAt = expiresAt,
        Expired = Expired,
        Refunded = Refunded,
        PointsReversed = PointsReversed,
        RefundEventIds = RefundEventIds,
        Foreign = Foreign,
        RefundMarks = RefundMarks,
    };
}
