using Engagement.Contracts.Events;

namespace Engagement.Api.Problems;

/// <summary>
/// The size limits of request bodies (docs/http-api.md). A body over its limit is refused with 413 problem
/// details naming <c>body</c> before it is read; one event is held to the queue's own limit on either path.
/// </summary>
public static class RequestLimits
{
    /// <summary>Any JSON body of the API: at most 1 MB (1,048,576 bytes).</summary>
    public const long MaxJsonBodyBytes = 1024 * 1024;

    /// <summary>
    /// <c>POST /api/v1/events</c>: at most 4 MB (4,194,304 bytes) per request, for an array of up to
    /// <see cref="Events.EventEndpoints.MaxBatch"/> events; each event at most <see cref="MaxEventBytes"/>.
    /// </summary>
    public const long MaxEventsBodyBytes = 4 * 1024 * 1024;

    /// <summary>One event: 64 KB of UTF-8 JSON, the queue message limit (<see cref="EventBounds.MaxEventBytes"/>).</summary>
    public const int MaxEventBytes = EventBounds.MaxEventBytes;
}
