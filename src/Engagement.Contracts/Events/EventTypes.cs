namespace Engagement.Contracts.Events;

/// <summary>The event types of CONTRACT.md §1.</summary>
public static class EventTypes
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

    /// <summary>Every accepted type.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Register, Purchase, Refund, Login, Browse, AddToCart, Share, Review, Complaint, ProfileUpdate,
    };
}
