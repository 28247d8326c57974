namespace Engagement.Domain.Points;

/// <summary>
/// Part of a member's points debt (<see cref="Members.MemberState.PointsDebt"/>) and the instant it arose in event time:
/// the <c>occurredAt</c> of the refund (or the instant of the correction) that reversed points the member had already
/// spent (CONTRACT.md §2: "points already spent can drive the balance negative"). A lot pays only debt that arose before
/// it expired (<see cref="PointsDebtBook"/>). Stored in the member's JSON as <c>{"points":…,"aroseAt":…}</c>.
/// </summary>
/// <param name="Points">Points owed, &gt; 0.</param>
/// <param name="AroseAt">When the debt arose, a UTC instant.</param>
public sealed record DebtPiece(long Points, DateTimeOffset AroseAt);
