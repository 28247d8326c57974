using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// What is kept of an order the count cap (<see cref="Program.ProgramOptions.MaxOrders"/>) took out of
/// <see cref="Members.MemberState.Orders"/> before the end of its retention (<see cref="Program.ProgramOptions.OrderRetentionDays"/>):
/// enough to recognise a re-sent purchase or refund as a duplicate and to apply a later refund exactly as if the order
/// were still kept (CONTRACT.md §1: duplicates are recognised as long as their order is kept, at least 400 days; §2
/// refunds). Its points lot was spent (nothing remains), and its growth sits in the day bucket of its member-local day.
/// </summary>
/// <remarks>
/// In JSON a summary is a positional array (see <see cref="OrderSummaryJsonConverter"/>): about 80 bytes for a plain
/// purchase with a 36-character orderId, about 136 with one refund id of that length; a full order with its lot and that
/// refund is about 213.
/// </remarks>
[JsonConverter(typeof(OrderSummaryJsonConverter))]
public sealed class OrderSummary
{
    /// <summary>The order id (a purchase's orderId, or an internal lot id such as <c>adjustment|…</c>, <c>offer|…</c>).</summary>
    public string OrderId { get; set; } = "";

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

    /// <summary>Refund event ids applied to the order (at most <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/>); null when none.</summary>
    public List<string>? RefundEventIds { get; set; }

    /// <summary>Set when the purchase was paid in another currency: its amount, rate and refunds in it.</summary>
    public ForeignAmount? Foreign { get; set; }

    /// <summary>Unrefunded amount, programme currency.</summary>
    public decimal Unrefunded => Amount - Refunded;

    /// <summary>True when the whole amount was refunded.</summary>
    public bool FullyRefunded => Refunded >= Amount;

    /// <summary>Growth the order still contributes (in its day bucket): floor(amount) − floor(refunded).</summary>
    public long NetGrowth => (long)decimal.Floor(Amount) - (long)decimal.Floor(Refunded);

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
        };
    }

    /// <summary>
    /// The full order again (its lot empty, expiring at <paramref name="expiresAt"/>), for a refund to apply to; refunds
    /// applied before it was summarised count from the purchase on (no refund marks).
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
    };
}
