namespace Engagement.Domain.Lifecycle;

/// <summary>The lifecycle stage names of CONTRACT.md §2, as they appear on the wire.</summary>
public static class LifecycleStages
{
    public const string New = "new";
    public const string Active = "active";
    public const string AtRisk = "at_risk";
    public const string Dormant = "dormant";
}
