namespace Engagement.Contracts.Search;

/// <summary>
/// Typing-ahead member search for support (CONTRACT.md §4, <c>GET /members?query=</c>): memberId prefix or phone
/// prefix, answered from an index by key-range reads, never by scanning members.
/// </summary>
public interface IMemberSearch
{
    /// <summary>
    /// Members whose id starts with <paramref name="query"/>, then (for a query of digits) whose phone starts with it;
    /// at most <paramref name="limit"/>, each member once. The phone is returned unmasked: masking is the caller's (by role).
    /// </summary>
    Task<IReadOnlyList<MemberSearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken = default);
}

/// <summary>One found member.</summary>
public sealed record MemberSearchHit
{
    public required string MemberId { get; init; }

    /// <summary>As stored (unmasked); empty when the member gave none.</summary>
    public string Phone { get; init; } = "";

    /// <summary>The tier when the row was last written.</summary>
    public string Tier { get; init; } = "";

    /// <summary><see cref="ByMemberId"/> or <see cref="ByPhone"/>: which key matched.</summary>
    public required string MatchedBy { get; init; }

    /// <summary><see cref="MatchedBy"/> of a hit found by its member id's prefix.</summary>
    public const string ByMemberId = "memberId";

    /// <summary><see cref="MatchedBy"/> of a hit found by its phone.</summary>
    public const string ByPhone = "phone";
}
