namespace Engagement.Domain.Campaigns;

/// <summary>An audience filter: every non-empty list must contain the member's value (tags: share at least one).</summary>
public sealed record AudienceCriteria
{
    public IReadOnlyList<string> Tiers { get; init; } = [];

    public IReadOnlyList<string> Segments { get; init; } = [];

    public IReadOnlyList<string> ValueClasses { get; init; } = [];

    public IReadOnlyList<string> Stages { get; init; } = [];

    public IReadOnlyList<string> Regions { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>True when the member's attributes pass every non-empty list. Comparison is ordinal, case-insensitive.</summary>
    public bool Matches(MemberAttributes member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return In(Tiers, member.Tier)
            && In(Segments, member.Segment)
            && In(ValueClasses, member.ValueClass)
            && In(Stages, member.Stage)
            && In(Regions, member.Region)
            && (Tags.Count == 0 || member.Tags.Any(t => Tags.Contains(t, StringComparer.OrdinalIgnoreCase)));
    }

    private static bool In(IReadOnlyList<string> allowed, string value) =>
        allowed.Count == 0 || allowed.Contains(value, StringComparer.OrdinalIgnoreCase);
}
