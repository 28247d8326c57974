namespace Engagement.Domain.Points;

/// <summary>A live points lot (a view of the purchase that earned it); the lot id is the order id.</summary>
public sealed record PointsLot(
    string LotId,
    DateTimeOffset EarnedAt,
    DateTimeOffset ExpiresAt,
    long Original,
    long Remaining,
    DateTimeOffset? NoticeSentAt);
