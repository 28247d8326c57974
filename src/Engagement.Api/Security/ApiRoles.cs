namespace Engagement.Api.Security;

/// <summary>Roles an API key maps to (CONTRACT.md §4), and the policies built on them.</summary>
public static class ApiRoles
{
    public const string Support = "support";
    public const string Marketing = "marketing";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Support, Marketing, Admin };

    /// <summary>Reading members, ledgers, touches, reports: every role.</summary>
    public const string ReadPolicy = "engagement.read";

    /// <summary>Defining, triggering and reading campaigns: marketing and admin.</summary>
    public const string CampaignPolicy = "engagement.campaigns";

    /// <summary>Writes to members and ingestion (events, redemptions, consent): admin.</summary>
    public const string AdminPolicy = "engagement.admin";
}
