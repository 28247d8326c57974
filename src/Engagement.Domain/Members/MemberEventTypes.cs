namespace Engagement.Domain.Members;

/// <summary>The event types of CONTRACT.md §1 (the domain does not reference the wire contracts).</summary>
public static class MemberEventTypes
{
    public const string Register = "register";
    public const string Purchase = "purchase";
    public const string Refund = "refund";
    public const string Login = "login";
    public const string Browse = "browse";
    public const string AddToCart = "add_to_cart";
    public const string Share = "share";
    public const string Review = "review";
    public const string Complaint = "complaint";
    public const string ProfileUpdate = "profile_update";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Register, Purchase, Refund, Login, Browse, AddToCart, Share, Review, Complaint, ProfileUpdate,
    };

    /// <summary>Types counted on the behaviour profile (registration and profile edits are not behaviour).</summary>
    public static readonly IReadOnlySet<string> Behaviour = new HashSet<string>(StringComparer.Ordinal)
    {
        Browse, AddToCart, Share, Review, Complaint, Login, Purchase, Refund,
    };
}
