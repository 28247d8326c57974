using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// The campaign's answer to an ambiguous write: storage reported a failure but the write had committed (a timeout after
/// the table took it). The next activation finds the change stored and repeats nothing, so the lines that follow it
/// ("audience counted", "completed", "ended", a page's given-up or cap-refused members, a backed-up member given up or
/// reached on retry) would never be written. When the activation
/// whose write failed goes, it reads storage and writes each such line whose change storage holds, once
/// (<see cref="StateWriteGate.ConfirmAfterReloadAsync"/>), with a warning naming the ambiguous write. If that read fails
/// too, or does not finish before the deactivation's deadline (<c>reload</c> honours its token), a warning says how many lines may be missing (the status and progress the API shows are what storage holds).
/// See docs/campaigns.md, "How it holds up" (pause and resume, the log lines).
/// </summary>
internal static class StoredOnReload
{
    /// <summary>
    /// Confirms what <paramref name="gate"/> kept from failed writes against storage (<paramref name="reload"/>) and logs
    /// the outcome; does nothing when no write failed or nothing was kept. Never throws a storage failure.
    /// </summary>
    /// <param name="gate">The activation's write gate; null when it never wrote.</param>
    /// <param name="reload">Reads the campaign's state from storage (<c>IPersistentState.ReadStateAsync</c>), bounded by the deactivation's token (a cancellation counts as a failed read).</param>
    /// <param name="logger">The campaign grain's logger.</param>
    /// <param name="campaignId">The campaign.</param>
    public static async Task LogAsync(StateWriteGate? gate, Func<Task> reload, ILogger logger, string campaignId)
    {
        if (gate is not { Behind: true, Unconfirmed: > 0 and var kept })
        {
            return;
        }

        try
        {
            var (found, notFound) = await gate.ConfirmAfterReloadAsync(reload);
            if (found > 0)
            {
                CampaignLog.AmbiguousWriteStored(logger, campaignId, found, notFound);
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            CampaignLog.AmbiguousWriteUnknown(logger, ex, campaignId, kept);
        }
    }
}
