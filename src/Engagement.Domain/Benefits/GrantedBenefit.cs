namespace Engagement.Domain.Benefits;

/// <summary>A benefit the member holds now.</summary>
public sealed record GrantedBenefit
{
    public string Code { get; init; } = "";

    public string Name { get; init; } = "";

    public string Kind { get; init; } = "";

    /// <summary>The tier the benefit comes with.</summary>
    public string FromTier { get; init; } = "";

    /// <summary>
    /// When the member entered the tier that granted it, in event time (CONTRACT.md §1.1, §2: the tier move's instant, as
    /// tierSince): stored as a UTC instant (offset zero), like tierSince, whatever offset the event carried.
    /// </summary>
    public DateTimeOffset GrantedAt { get; init; }
}
