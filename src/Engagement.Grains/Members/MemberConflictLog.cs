using Microsoft.Extensions.Logging;
using Engagement.Grains.Storage;

namespace Engagement.Grains.Members;

/// <summary>
/// How a member activation reports a failed state write: a write refused on its ETag (another activation of the same
/// member wrote since, as on a silo handover: docs/scaling.md "What the logs show on a rolling stop") is expected and safe, so it gets one
/// Warning sentence with no stack trace; any other failure keeps its Warning with the exception.
/// </summary>
internal static partial class MemberLog
{
    /// <summary>
    /// True when storage refused the write because its ETag moved and wrote nothing (<see cref="StorageConflict.IsETagConflict"/>:
    /// 412 UpdateConditionNotSatisfied or 409 EntityAlreadyExists under an <see cref="Orleans.Storage.InconsistentStateException"/>);
    /// a 404 or another 409 the provider also wraps is not a handover and keeps its Warning with the exception.
    /// </summary>
    public static bool IsETagConflict(Exception? exception) => StorageConflict.IsETagConflict(exception);

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
