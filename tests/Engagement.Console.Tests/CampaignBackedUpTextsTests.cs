using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Contracts.Campaigns;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign page's line about backed-up members (<see cref="CampaignBackedUpTexts.Line"/>), in English and in
/// Chinese: each of the four counts in its place, a paused campaign saying its waiting members are held until it
/// resumes, and no line at all for a campaign that met no backed-up member.
/// </summary>
public sealed class CampaignBackedUpTextsTests
{
    private static readonly IStringLocalizer<CampaignStrings> Text = Localizer<CampaignStrings>();

    private static CampaignProgress Progress(string state, long skipped, long reachedLater, long waiting, long givenUp) => new()
    {
        State = state,
        BackedUpSkipped = skipped,
        BackedUpReachedLater = reachedLater,
        BackedUpWaiting = waiting,
        BackedUpGivenUp = givenUp,
    };

    [Theory]
    [InlineData("en", CampaignStatuses.Running, "Backed up (outbox full):|9 skipped|2 reached later|4 waiting for a retry|3 given up", null)]
    [InlineData("zh-CN", CampaignStatuses.Running, "积压（会员发件箱已满）：|跳过 9 人|稍后送达 2 人|等待重试 4 人|已放弃 3 人", null)]
    [InlineData("en", CampaignStatuses.Paused, "Backed up (outbox full):|9 skipped|2 reached later|4 waiting for a retry|3 given up", "Paused: nobody is retried until the campaign resumes; then the waiting members are asked at once.")]
    [InlineData("zh-CN", CampaignStatuses.Paused, "积压（会员发件箱已满）：|跳过 9 人|稍后送达 2 人|等待重试 4 人|已放弃 3 人", "已暂停：恢复前不会重试；恢复后立即重试等待中的会员。")]
    public void TheFourCountsAreEachInTheirPlace(string culture, string state, string shown, string? pauseNote) =>
        InCulture(culture, () =>
        {
            var line = CampaignBackedUpTexts.Line(Text, Progress(state, 9, 2, 4, 3))!;
            Assert.Equal(shown, string.Join('|', [line.Title, .. line.Counts]));
            Assert.Equal(pauseNote, line.PauseNote);
        });

    [Fact]
    public void NoLineWithoutBackedUpMembersAndNoPauseNoteWhenNobodyWaits()
    {
        InCulture("en", () =>
        {
            Assert.Null(CampaignBackedUpTexts.Line(Text, Progress(CampaignStatuses.Completed, 0, 0, 0, 0)));
            var line = CampaignBackedUpTexts.Line(Text, Progress(CampaignStatuses.Paused, 501, 0, 0, 501))!;
            Assert.Equal(["501 skipped", "0 reached later", "0 waiting for a retry", "501 given up"], line.Counts);
            Assert.Null(line.PauseNote);
        });
    }
}
