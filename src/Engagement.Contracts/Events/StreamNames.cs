namespace Engagement.Contracts.Events;

/// <summary>
/// Names that tie the queue stream provider to its consumers. A member's events flow on stream
/// (<see cref="MemberEvents"/>, memberId) of provider <see cref="Provider"/>; the member grain subscribes
/// implicitly with <c>[ImplicitStreamSubscription(StreamNames.MemberEvents)]</c>.
/// </summary>
public static class StreamNames
{
    /// <summary>The Orleans stream provider name of the queue ingestion.</summary>
    public const string Provider = "engagement-events";

    /// <summary>The stream namespace of member events; the stream key is the memberId.</summary>
    public const string MemberEvents = "member-events";
}
