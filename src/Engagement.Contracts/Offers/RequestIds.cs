using Engagement.Contracts.Events;

namespace Engagement.Contracts.Offers;

/// <summary>
/// The rule of an id a client chooses as the idempotency key of a request (a redemption's <c>redemptionId</c>, a coupon
/// grant's <c>grantId</c>, a reissue's <c>reissueId</c>, an adjustment's <c>adjustmentId</c>; CONTRACT.md §4): 1–128
/// characters counted as <see cref="EventBounds.CodePoints"/> counts them (an emoji is one, as for an eventId or orderId
/// in CONTRACT.md §1, not two UTF-16 units), not blank, and no control characters (a line break or NUL in an id would be
/// echoed into reasons, audit rows and log lines). Any other character is allowed and kept exactly as sent.
/// </summary>
public static class RequestIds
{
    /// <summary>The most characters (Unicode code points) such an id may have.</summary>
    public const int MaxLength = 128;

    /// <summary>What a problem says of an id that breaks the rule.</summary>
    public const string Rule = "required, 1–128 characters, no control characters";

    /// <summary>True when <paramref name="id"/> keeps the rule; false for null, blank, over 128 code points or with a control character.</summary>
    public static bool IsValid(string? id) =>
        !string.IsNullOrWhiteSpace(id) && EventBounds.CodePoints(id) <= MaxLength && !id.Any(char.IsControl);
}
