using Engagement.Api.Problems;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Events;

/// <summary>
/// Applies the valid events of one <c>POST /events</c> request: each member's events in request order, members side by
/// side (at most 32 at once). A member whose apply throws (its storage, a timeout) fails alone: that event and the
/// member's later ones in the request are <see cref="Failed"/> (never applied out of order), and every other member's
/// events are still applied. Before, the first exception ended the request with a 500 and members not yet started
/// were never applied.
/// </summary>
public static partial class EventBatchApplier
{
    /// <summary>The status of an event the engine could not apply now (only in <c>POST /events</c> results): not applied; send it again.</summary>
    public const string Failed = "failed";

    /// <summary>
    /// Applies <paramref name="valid"/> (request index and event) through <paramref name="apply"/>; returns one outcome
    /// per event in the order given, and whether every failure, if any, was transient
    /// (<see cref="UnavailableProblemHandler.IsTransient"/>: retrying later can succeed).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the caller went away).</exception>
    public static async Task<(ApplyOutcome[] Outcomes, bool FailuresTransient)> ApplyAsync(
        IReadOnlyList<(int Index, EngagementEvent Event)> valid,
        Func<EngagementEvent, Task<ApplyResult>> apply,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentNullException.ThrowIfNull(apply);
        var outcomes = new ApplyOutcome[valid.Count];
        var permanent = 0;
        await Parallel.ForEachAsync(
            valid.Select((v, position) => (v.Index, v.Event, Position: position)).GroupBy(v => v.Event.MemberId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (group, token) =>
            {
                string? failure = null;
                foreach (var (index, evt, position) in group)
                {
                    if (failure is not null)
                    {
                        outcomes[position] = new ApplyOutcome(index, evt.EventId, evt.MemberId, Failed, $"not applied: an earlier event of member {evt.MemberId} in this request failed ({failure}); send both again, in order");
                        continue;
                    }

                    try
                    {
                        var result = await apply(evt);
                        outcomes[position] = new ApplyOutcome(index, evt.EventId, evt.MemberId, result.Status, result.Reason, result.RefusedCoupons);
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        var transient = UnavailableProblemHandler.IsTransient(ex);
                        if (!transient)
                        {
                            Interlocked.Increment(ref permanent);
                        }

                        failure = transient ? "the engine is busy or its storage is unavailable" : "the engine could not store it: " + ex.GetType().Name;
                        LogFailed(logger, ex, evt.EventId, evt.MemberId);
                        outcomes[position] = new ApplyOutcome(index, evt.EventId, evt.MemberId, Failed, $"not applied: {failure}; send it again");
                    }
                }
            });

        return (outcomes, permanent == 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "POST /events: event {MemberEventId} of member {MemberId} failed; the member's later events in the request were not applied, the other members' were")]
    private static partial void LogFailed(ILogger logger, Exception exception, string memberEventId, string memberId);
}
