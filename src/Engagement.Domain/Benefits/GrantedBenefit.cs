namespace Engagement.Domain.Benefits;

/// <summary>A benefit the member holds now.</summary>
public sealed record GrantedBenefit
{
    public string Code { get; init; } = "";

    public string Name { get; init; } = "";

    public string Kind { get; init; } = "";

    /// <summary>The tier the benefit comes with.</summary>
    public string FromTier { get; init; } = "";

    public DateTimeOffset GrantedAt { get; init; }
}
