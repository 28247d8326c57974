using Azure;
using Orleans.Storage;

namespace Engagement.Grains.Storage;

/// <summary>
/// The one test for "storage refused a grain-state write on its ETag" (another activation of the grain wrote since, as on
/// a silo handover: docs/scaling.md "What the logs show on a rolling stop"). Used by the member grain's log lines
/// (<c>MemberLog.IsETagConflict</c>) and by the silo's Serilog policy (<c>StorageConflictLogging</c>), so the two agree.
/// </summary>
public static class StorageConflict
{
    /// <summary>The table's error code for a write whose If-Match ETag no longer matches (HTTP 412).</summary>
    public const string UpdateConditionNotSatisfied = "UpdateConditionNotSatisfied";

    /// <summary>The table's error code for an insert over a row that another writer created meanwhile (HTTP 409).</summary>
    public const string EntityAlreadyExists = "EntityAlreadyExists";

    /// <summary>
    /// True when <paramref name="exception"/> is, or wraps, an <see cref="InconsistentStateException"/> that itself wraps
    /// a <see cref="RequestFailedException"/> with status 412 and error code <see cref="UpdateConditionNotSatisfied"/>, or
    /// status 409 and <see cref="EntityAlreadyExists"/>. The official provider turns every 412/409/404 into an
    /// InconsistentStateException, so the status and code are both needed: a 409 TableBeingDeleted or a 404 is not an
    /// ETag conflict and gives false. Never throws.
    /// </summary>
    public static bool IsETagConflict(Exception? exception)
    {
        var inconsistent = false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            inconsistent |= e is InconsistentStateException;
            if (inconsistent && e is RequestFailedException failed && IsETagRefusal(failed))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsETagRefusal(RequestFailedException failed) => failed switch
    {
        { Status: 412, ErrorCode: UpdateConditionNotSatisfied } => true,
        { Status: 409, ErrorCode: EntityAlreadyExists } => true,
        _ => false,
    };
}
