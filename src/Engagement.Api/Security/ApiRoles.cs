namespace Engagement.Api.Security;

/// <summary>Roles an API key maps to (CONTRACT.md §4), and the policies built on them.</summary>
public static class ApiRoles
{
    public const string Support = "support";
    public const string Marketing = "marketing";
    public const string Admin = "admin";

    /// <summary>A store system or POS (CONTRACT.md §4 "a store-system key"): inventory, coupon checks and redemptions, catalogue redemptions.</summary>
    public const string Store = "store";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Support, Marketing, Admin, Store };

    /// <summary>Reading members, ledgers, touches, reports: every role.</summary>
    public const string ReadPolicy = "engagement.read";

    /// <summary>Defining, triggering and reading campaigns: marketing and admin.</summary>
    public const string CampaignPolicy = "engagement.campaigns";

    /// <summary>Writes to members and ingestion (events, redemptions, consent): admin.</summary>
    public const string AdminPolicy = "engagement.admin";

    /// <summary>Store-side writes (inventory, stock, coupon and catalogue redemptions): store and admin.</summary>
    public const string StorePolicy = "engagement.store";

    /// <summary>Reading the catalogue, a store's inventory, a coupon by code: every role including store.</summary>
    public const string OffersReadPolicy = "engagement.offers.read";
}
