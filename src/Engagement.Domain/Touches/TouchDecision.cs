namespace Engagement.Domain.Touches;

/// <summary>
/// One decision about one touch. Also what <see cref="TouchState"/> stores, so it has plain get/set properties
/// for System.Text.Json. The governor hands out copies; changing one does not change the member state.
/// </summary>
public sealed record TouchDecision
{
    /// <summary>Deterministic id (<see cref="TouchIds"/>): the same logical touch always has the same id.</summary>
    public string TouchId { get; set; } = "";

    /// <summary><c>sent</c>, <c>deferred</c> or <c>suppressed</c> (<see cref="TouchDecisions"/>).</summary>
    public string Decision { get; set; } = "";

    /// <summary>Why, in plain words, e.g. <c>marketing cap 1/day reached</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>For a deferred touch: when it will be tried again.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary><c>marketing</c> or <c>service</c> (<see cref="TouchCategories"/>).</summary>
    public string Category { get; set; } = TouchCategories.Marketing;

    public string Channel { get; set; } = "";

    /// <summary>The request's preferred channel when it differs from <see cref="Channel"/> (the fallback was used); null: <see cref="Channel"/> is the preferred one.</summary>
    public string? PreferredChannel { get; set; }

    /// <summary>The request's fallback channel (<see cref="TouchRequest.FallbackChannel"/>), kept so a deferred touch's retry chooses its channel again.</summary>
    public string? FallbackChannel { get; set; }

    public string Kind { get; set; } = "";

    public string? CampaignId { get; set; }

    public int? Level { get; set; }

    public string? Offer { get; set; }

    /// <summary>The code of the coupon the touch hands over (CONTRACT.md §3), if any.</summary>
    public string? CouponCode { get; set; }

    /// <summary>
    /// The request's <see cref="TouchRequest.DedupeKey"/>, kept only on a waiting touch whose offer is fulfilled when it is
    /// sent (the win-back L1 gift, the birthday coupon: <c>MemberTick</c>), so the retry that sends it grants the same coupon.
    /// </summary>
    public string? DedupeKey { get; set; }

    /// <summary>The request's <see cref="TouchRequest.ValidUntil"/>, kept so a deferred touch can be retried.</summary>
    public DateTimeOffset? ValidUntil { get; set; }

    public DateTimeOffset DecidedAt { get; set; }

    /// <summary>How many times this touch has been decided (1 on the first decision; retries of a deferred touch add one).</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>For a sent touch: handed to the member's outbox (<see cref="Members.MemberDecider.QueueSentTouches"/>), which publishes it after the state write.</summary>
    public bool Published { get; set; }
}

/// <summary>Values of <see cref="TouchDecision.Decision"/>.</summary>
public static class TouchDecisions
{
    public const string Sent = "sent";
    public const string Deferred = "deferred";
    public const string Suppressed = "suppressed";
}

/// <summary>Values of <see cref="TouchDecision.Category"/>.</summary>
public static class TouchCategories
{
    public const string Marketing = "marketing";
    public const string Service = "service";
}

/// <summary>Touch kinds the engine itself emits.</summary>
public static class TouchKinds
{
    public const string PointsExpiryNotice = "points.expiry-notice";
    /// <summary>A coupon, points or catalogue redemption was accepted: the service touch CONTRACT.md §2.1 names <c>redemption_confirmation</c>.</summary>
    public const string RedemptionConfirmation = "redemption_confirmation";

    /// <summary>
    /// The name the engine used for <see cref="RedemptionConfirmation"/> before it followed CONTRACT.md §2.1: still
    /// accepted where configuration lists kinds (<c>Touches:ServiceKinds</c>), never sent.
    /// </summary>
    public const string LegacyRedemptionConfirmation = "redemption.confirmation";

    /// <summary>The kind <paramref name="kind"/> names: <see cref="LegacyRedemptionConfirmation"/> is <see cref="RedemptionConfirmation"/>, every other kind itself.</summary>
    public static string Canonical(string kind) =>
        string.Equals(kind, LegacyRedemptionConfirmation, StringComparison.OrdinalIgnoreCase) ? RedemptionConfirmation : kind;
    public const string BirthdayBenefit = "birthday.benefit";

    /// <summary>
    /// A coupon expires in a few days (Domain/Offers, <c>Engagement:Offers:ExpiryReminderDays</c>); a marketing touch,
    /// within the caps, unless <c>Touches:ServiceKinds</c> lists it.
    /// </summary>
    public const string CouponExpiryReminder = "coupon.expiry-reminder";

    /// <summary>A coupon, points or benefit was granted outside a touch that already announces it (e.g. an admin's goodwill coupon).</summary>
    public const string OfferGranted = "offer.granted";
}
