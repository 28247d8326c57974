namespace Engagement.Contracts.Events;

/// <summary>Names of the member event streams: one stream per member, keyed by memberId.</summary>
public static class StreamNames
{
    /// <summary>The persistent stream provider reading the event queues.</summary>
    public const string Provider = "engagement-events";

    /// <summary>Stream namespace; the member grain subscribes to it implicitly.</summary>
    public const string MemberEvents = "member-events";
}
