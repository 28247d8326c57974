namespace Engagement.Api.Security;

/// <summary>Roles an API key maps to (CONTRACT.md §4), and the policies built on them.</summary>
public static class ApiRoles
{
    public const string Support = "support";
    public const string Marketing = "marketing";
    public const string Admin = "admin";

    /// <summary>
    /// A store system or POS (CONTRACT.md §4 "a store-system key"): inventory, coupon checks and redemptions, catalogue
    /// redemptions, and what a till needs beside them (<see cref="TillPolicy"/>, <see cref="MemberViewPolicy"/>).
    /// </summary>
    public const string Store = "store";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Support, Marketing, Admin, Store };

    /// <summary>Reading members, ledgers, touches, reports: every role.</summary>
    public const string ReadPolicy = "engagement.read";

    /// <summary>Defining, triggering and reading campaigns: marketing and admin.</summary>
    public const string CampaignPolicy = "engagement.campaigns";

    /// <summary>Writes to members (coupon grants, benefit grants...): admin.</summary>
    public const string AdminPolicy = "engagement.admin";

    /// <summary>Store-side writes (inventory, stock, coupon and catalogue redemptions): store and admin.</summary>
    public const string StorePolicy = "engagement.store";

    /// <summary>Reading the catalogue, a store's inventory, a coupon by code: every role including store.</summary>
    public const string OffersReadPolicy = "engagement.offers.read";

    /// <summary>
    /// What a till sends (docs/http-api.md, a deviation from CONTRACT.md §4, where these are admin's): <c>POST /events</c>
    /// and <c>POST /members/{memberId}/redemptions</c>: store and admin. A store key has no other member write.
    /// </summary>
    public const string TillPolicy = "engagement.till";

    /// <summary>
    /// The event types (CONTRACT.md §1) a store key may send on <c>POST /events</c>: what a till records, a sale and its
    /// refund. Every other type (<c>register</c>, <c>login</c>, <c>browse</c>, <c>add_to_cart</c>, <c>share</c>,
    /// <c>review</c>, <c>complaint</c>, <c>profile_update</c>) comes from the member's app or an integration with an admin
    /// key; from a store key it is refused, 403 problem details naming the type (docs/http-api.md, roles), since a leaked
    /// till key could otherwise mint growth (share, review, login) or change a profile.
    /// </summary>
    public static readonly IReadOnlySet<string> TillEventTypes = new HashSet<string>(StringComparer.Ordinal) { "purchase", "refund" };

    /// <summary>
    /// <c>GET /members/{memberId}</c>, the live view a till reads the balance from: every role including store (a store
    /// key sees only tier, balance, coupons (codes by their last 4 characters) and benefits, <c>Members.TillMemberView</c>; ledger,
    /// touches and search stay support, marketing, admin).
    /// </summary>
    public const string MemberViewPolicy = "engagement.member.view";
}
