namespace Engagement.Contracts.Audit;

/// <summary>
/// Every manual action by staff (CONTRACT.md §4, <c>GET /audit</c>): who (the API key's name), when (UTC), what, reason.
/// Written by the application services behind the API and the console; stored append-only.
/// </summary>
public interface IAuditLog
{
    /// <summary>Records one action. Idempotent by <see cref="AuditEntry.AuditId"/>: a repeat, on any day, keeps the first entry and its instant.</summary>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Actions with <c>from ≤ At &lt; to</c> (UTC), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default);
}

/// <summary>One audited action.</summary>
public sealed record AuditEntry
{
    /// <summary>Deterministic for a retried action (e.g. <c>adjustment|{memberId}|{adjustmentId}</c>), so a retry is not counted twice.</summary>
    public required string AuditId { get; init; }

    /// <summary>UTC instant of the action.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The key's name (<c>Engagement:Api:Keys:{key} = role:name</c>), or its role when unnamed.</summary>
    public required string Actor { get; init; }

    public required string Role { get; init; }

    /// <summary>Action id, e.g. <c>member.adjustment</c>, <c>member.consent</c>, <c>campaign.trigger</c>.</summary>
    public required string Action { get; init; }

    /// <summary>What it acted on, e.g. a member id or campaign id.</summary>
    public required string Target { get; init; }

    /// <summary>What changed, for people, e.g. <c>points +100</c>.</summary>
    public string Detail { get; init; } = "";

    /// <summary>Why, as the person wrote it (empty where the action needs none).</summary>
    public string Reason { get; init; } = "";
}
