using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Campaigns;

/// <summary>The campaign grain's log lines (message templates, source-generated).</summary>
internal static partial class CampaignLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} created ({Kind}, {Arms} arms)")]
    public static partial void Created(ILogger logger, string campaignId, string kind, int arms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} triggered over {Shards} index shards")]
    public static partial void Triggered(ILogger logger, string campaignId, int shards);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} audience counted: {Total}")]
    public static partial void Counted(ILogger logger, string campaignId, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} fan-out completed: {Reached} reached, {Sent} sent, {Deferred} deferred, {Suppressed} suppressed, {Control} control, {Excluded} global control")]
    public static partial void Completed(ILogger logger, string campaignId, long reached, long sent, long deferred, long suppressed, long control, long excluded);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} fan-out ended at its validUntil: {Reached} reached; the rest get nothing")]
    public static partial void Ended(ILogger logger, string campaignId, long reached);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} paused (pause {Pause}) while {Status}; {Reached} reached so far")]
    public static partial void Paused(ILogger logger, string campaignId, long pause, string status, long reached);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} resumed (pause {Pause}) to {Status}")]
    public static partial void Resumed(ILogger logger, string campaignId, long pause, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId} fan-out stopped; it resumes from the last checkpoint")]
    public static partial void FanOutFailed(ILogger logger, Exception ex, string campaignId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Campaign {CampaignId}: an action run once a state write was stored threw; the others ran")]
    public static partial void StoredActionFailed(ILogger logger, Exception ex, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: a state write reported failure but storage holds its change (an ambiguous write, e.g. a timeout after the commit); its {Found} log lines were written on reload, {NotFound} changes were not stored and are repeated by the next activation")]
    public static partial void AmbiguousWriteStored(ILogger logger, string campaignId, int found, int notFound);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: a state write failed and storage could not be read to tell whether it committed; {Lines} log lines (audience counted, completed, ended, given up, reached on retry, refused at the membership cap) may be missing: read the campaign's status and progress")]
    public static partial void AmbiguousWriteUnknown(ILogger logger, Exception ex, string campaignId, int lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId} is paused and its window-end reminder could not be registered; tried again in a minute while it stays active")]
    public static partial void WindowEndReminderFailed(ILogger logger, Exception ex, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: delivery to {MemberId} failed (attempt {Attempt}); retrying")]
    public static partial void DeliveryRetry(ILogger logger, Exception ex, string campaignId, string memberId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId}: {MemberId}, backed up before, was reached on retry {Refusals} ({Outcome})")]
    public static partial void BackedUpReached(ILogger logger, string campaignId, string memberId, int refusals, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: {MemberId} is still backed up after {Refusals} refusals; given up, not reached by this campaign")]
    public static partial void BackedUpGivenUp(ILogger logger, string campaignId, string memberId, int refusals);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: {GivenUp} backed-up members of a page given up: {MaxWaiting} members already wait for a retry; not reached by this campaign (the first: {FirstMemberIds})")]
    public static partial void BackedUpListFull(ILogger logger, string campaignId, int givenUp, int maxWaiting, string firstMemberIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: {Refused} members of a page refused at their campaign membership cap ({MaxMemberships}, Engagement:Campaigns:MaxMembershipsKept); counted in membershipCapRefused, in no group")]
    public static partial void MembershipCapRefused(ILogger logger, string campaignId, long refused, int maxMemberships);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Campaign {CampaignId}: every shard is done, {Waiting} backed-up members wait for a retry (the next at {NextAttemptAt})")]
    public static partial void BackedUpWaiting(ILogger logger, string campaignId, int waiting, DateTimeOffset? nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: {MemberId} refused the delivery, its outbox is backed up ({Bytes} bytes its receivers have not taken)")]
    public static partial void MemberBackedUp(ILogger logger, string campaignId, string memberId, int bytes);
}
