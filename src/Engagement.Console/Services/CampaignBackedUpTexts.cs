using Engagement.Console.Resources;
using Engagement.Contracts.Campaigns;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>The backed-up members' line as the page shows it: a title, each count on its own (kept whole), and the pause note apart.</summary>
/// <param name="Title">What the counts are about ("Backed up (outbox full):").</param>
/// <param name="Counts">Skipped, reached later, waiting for a retry, given up: each a number of members with its label.</param>
/// <param name="PauseNote">For a paused campaign with members waiting: that nobody is retried until it resumes; else null.</param>
public sealed record CampaignBackedUpLine(string Title, IReadOnlyList<string> Counts, string? PauseNote);

/// <summary>
/// The campaign page's line about members a broadcast found backed up (their outbox past its bound, docs/rules.md "The outbox
/// is bounded by count and by bytes"): how many were skipped, and of those how many a later retry reached, how many
/// still wait for one, and how many were given up (<see cref="CampaignProgress.BackedUpSkipped"/> and the three after it).
/// </summary>
public static class CampaignBackedUpTexts
{
    /// <summary>
    /// The four counts in the viewer's language (skipped, reached later, waiting, given up; members), and whether a pause
    /// holds the waiting ones; null when the fan-out met no backed-up member.
    /// </summary>
    public static CampaignBackedUpLine? Line(IStringLocalizer<CampaignStrings> text, CampaignProgress progress)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.BackedUpSkipped == 0)
        {
            return null;
        }

        string[] counts =
        [
            text["BackedUp_Skipped", progress.BackedUpSkipped].Value,
            text["BackedUp_ReachedLater", progress.BackedUpReachedLater].Value,
            text["BackedUp_Waiting", progress.BackedUpWaiting].Value,
            text["BackedUp_GivenUp", progress.BackedUpGivenUp].Value,
        ];
        var note = progress is { BackedUpWaiting: > 0, State: CampaignStatuses.Paused } ? text["BackedUp_PausedWaiting"].Value : null;
        return new CampaignBackedUpLine(text["BackedUp_Title"].Value, counts, note);
    }
}
