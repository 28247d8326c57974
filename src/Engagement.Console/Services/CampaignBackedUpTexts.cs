using Engagement.Console.Resources;
using Engagement.Contracts.Campaigns;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// The campaign page's line about members a broadcast found backed up (their outbox past its bound, README "The outbox
/// is bounded by count and by bytes"): how many were skipped, and of those how many a later retry reached, how many
/// still wait for one, and how many were given up (<see cref="CampaignProgress.BackedUpSkipped"/> and the three after it).
/// </summary>
public static class CampaignBackedUpTexts
{
    /// <summary>
    /// The four counts in the viewer's language (skipped, reached later, waiting, given up; members), and whether a pause
    /// holds the waiting ones; null when the fan-out met no backed-up member.
    /// </summary>
    public static string? Line(IStringLocalizer<CampaignStrings> text, CampaignProgress progress)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.BackedUpSkipped == 0)
        {
            return null;
        }

        var line = text["BackedUp_Counts", progress.BackedUpSkipped, progress.BackedUpReachedLater, progress.BackedUpWaiting, progress.BackedUpGivenUp].Value;
        return progress is { BackedUpWaiting: > 0, State: CampaignStatuses.Paused } ? line + " " + text["BackedUp_PausedWaiting"].Value : line;
    }
}
