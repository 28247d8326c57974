namespace Engagement.Domain.Points;

/// <summary>
/// A live points lot (a view of the purchase that earned it); the lot id is the order id as the member keeps it
/// (<see cref="Orders.OrderIds.Key"/>), the one touch ids and lookups go by.
/// </summary>
public sealed record PointsLot(
    string LotId,
    DateTimeOffset EarnedAt,
    DateTimeOffset ExpiresAt,
    long Original,
    long Remaining,
    DateTimeOffset? NoticeSentAt)
{
    /// <summary>
    /// The lot as the member view (<c>pointsLots[].lotId</c>) and its expiry and re-pricing entries name it
    /// (<see cref="Orders.OrderRecord.Name"/>): <see cref="LotId"/>, or for a long order id <c>{head…tail} [{key}]</c> as its
    /// purchase entry names it (at most 78 code points); <see cref="LotId"/> when not set.
    /// </summary>
    public string Name { get => field ?? LotId; init; }
}
