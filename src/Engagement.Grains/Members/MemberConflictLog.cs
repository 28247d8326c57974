using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Engagement.Grains.Members;

/// <summary>
/// How a member activation reports a failed state write: a write refused on its ETag (another activation of the same
/// member wrote since, as on a silo handover: README "Running in production") is expected and safe, so it gets one
/// Warning sentence with no stack trace; any other failure keeps its Warning with the exception.
/// </summary>
internal static partial class MemberLog
{
    /// <summary>
    /// True when <paramref name="exception"/> (or one it wraps: the grain-state bridge wraps the provider's) is an
    /// <see cref="InconsistentStateException"/>: storage refused the write because its ETag moved, and wrote nothing.
    /// </summary>
    public static bool IsETagConflict(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InconsistentStateException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A change's write failed: <see cref="LogChangeRefusedOnETag"/> for an ETag conflict, else <see cref="LogChangeDiscarded"/>.</summary>
    public static void LogChangeFailed(this ILogger logger, Exception ex, string memberId)
    {
        if (IsETagConflict(ex))
        {
            logger.LogChangeRefusedOnETag(memberId);
        }
        else
        {
            logger.LogChangeDiscarded(ex, memberId);
        }
    }

    /// <summary>Storing confirmed effects failed: <see cref="LogWriteRefusedOnETag"/> for an ETag conflict, else <see cref="LogConfirmWriteFailed"/>.</summary>
    public static void LogConfirmFailed(this ILogger logger, Exception ex, string memberId)
    {
        if (IsETagConflict(ex))
        {
            logger.LogWriteRefusedOnETag(memberId, "storing confirmed effects");
        }
        else
        {
            logger.LogConfirmWriteFailed(ex, memberId);
        }
    }

    /// <summary>The deactivation's write failed: <see cref="LogWriteRefusedOnETag"/> for an ETag conflict (not retried), else <see cref="LogDeactivationWriteFailed"/>.</summary>
    public static void LogDeactivationFailed(this ILogger logger, Exception ex, string memberId)
    {
        if (IsETagConflict(ex))
        {
            logger.LogWriteRefusedOnETag(memberId, "deactivating");
        }
        else
        {
            logger.LogDeactivationWriteFailed(ex, memberId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: another activation of this member wrote it since this one read it (a silo handover), so storage refused this change; it is dropped, the state is reloaded before the next call and a retried event is applied to the newer state")]
    private static partial void LogChangeRefusedOnETag(this ILogger logger, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: another activation of this member wrote it since this one read it (a silo handover), so storage refused the write made while {Doing}; it keeps the newer state, nothing is retried, and effects this write would have marked sent may be emitted once more")]
    private static partial void LogWriteRefusedOnETag(this ILogger logger, string memberId, string doing);
}
