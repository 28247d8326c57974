namespace Engagement.Domain.Campaigns;

/// <summary>
/// When a triggered campaign fires on a member's event: the event's type, an item of the category (if set), an amount
/// of at least the threshold (if set, CNY). CONTRACT.md §4, <c>trigger</c>.
/// </summary>
/// <param name="EventType">The event type, compared ordinally (e.g. <c>purchase</c>).</param>
/// <param name="ItemCategory">An item category the event must contain, case-insensitive; null = any.</param>
/// <param name="MinAmount">The least event amount, CNY; null = any (an event without an amount then matches).</param>
public sealed record CampaignTriggerRule(string EventType, string? ItemCategory, decimal? MinAmount)
{
    /// <summary>True when an event of <paramref name="eventType"/> with these item categories and amount fires the campaign.</summary>
    public bool Matches(string eventType, IEnumerable<string?> itemCategories, decimal? amount)
    {
        ArgumentNullException.ThrowIfNull(itemCategories);
        if (!string.Equals(EventType, eventType, StringComparison.Ordinal))
        {
            return false;
        }

        if (ItemCategory is { } category && !itemCategories.Any(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        return MinAmount is not { } min || (amount is { } value && value >= min);
    }

    /// <summary>
    /// True when an event that occurred at <paramref name="occurredAt"/> and is applied at <paramref name="now"/> may fire a
    /// campaign valid from <paramref name="validFrom"/> until <paramref name="validUntil"/> (exclusive): the campaign is
    /// valid now (it grants now) and was valid when the event occurred. A late event has the effect it would have had in
    /// order (CONTRACT.md §1.1): a purchase made before the campaign began, uploaded late by an offline POS, fires nothing.
    /// </summary>
    public static bool Fires(DateTimeOffset validFrom, DateTimeOffset validUntil, DateTimeOffset occurredAt, DateTimeOffset now) =>
        now >= validFrom && now < validUntil && occurredAt >= validFrom && occurredAt < validUntil;
}
