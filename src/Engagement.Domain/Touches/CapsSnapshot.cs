namespace Engagement.Domain.Touches;

/// <summary>The member's caps at one instant, for the live view (<c>caps{...}</c>).</summary>
public sealed record CapsSnapshot
{
    /// <summary>Marketing touches sent on the member's local today.</summary>
    public int MarketingToday { get; init; }

    /// <summary>Marketing touches sent in the rolling 7 days ending now.</summary>
    public int MarketingLast7Days { get; init; }

    public int MarketingDailyLimit { get; init; }

    public int MarketingWeeklyLimit { get; init; }

    /// <summary>All touches (marketing and service) sent per channel on the member's local today.</summary>
    public IReadOnlyDictionary<string, int> ChannelToday { get; init; } = new Dictionary<string, int>();

    /// <summary>All touches sent per channel in the rolling 7 days ending now.</summary>
    public IReadOnlyDictionary<string, int> ChannelLast7Days { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, int> ChannelDailyLimits { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, int> ChannelWeeklyLimits { get; init; } = new Dictionary<string, int>();

    public IReadOnlyList<string> OptedOutChannels { get; init; } = [];

    public bool InQuietHours { get; init; }

    /// <summary>The zone the caps and quiet hours are read in.</summary>
    public string TimeZone { get; init; } = "";

    /// <summary>Deferred touches waiting for their retry.</summary>
    public int Deferred { get; init; }

    /// <summary>Sent touches not yet confirmed on the outbox queue.</summary>
    public int PendingPublish { get; init; }
}
