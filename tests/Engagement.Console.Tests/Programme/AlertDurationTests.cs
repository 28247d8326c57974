using Engagement.Console.Resources;
using Engagement.Console.Services;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// The alert history's "Lasted" column (<see cref="AlertDurations.Lasted"/>) across its ranges and at each boundary, in
/// English and Chinese: only "37 min", "2 h 5 min" and "under 1 min" were checked on the page; the days' form went unseen.
/// </summary>
public sealed class AlertDurationTests
{
    private static readonly IStringLocalizer<ProgrammeStrings> Text = Localizer<ProgrammeStrings>();

    /// <summary>A fixed raised instant (10:00 in Asia/Shanghai); what counts is the elapsed time after it.</summary>
    private static readonly DateTimeOffset RaisedAt = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    // Seconds: under a minute, cut, never rounded up to 1 min.
    [InlineData(0L, "under 1 min", "不到 1 分钟")]
    [InlineData(1L, "under 1 min", "不到 1 分钟")]
    [InlineData(59L, "under 1 min", "不到 1 分钟")]
    // 59.9999999 s, one tick short of a minute.
    [InlineData(60L * TimeSpan.TicksPerSecond - 1, "under 1 min", "不到 1 分钟", true)]
    // Minutes.
    [InlineData(60L, "1 min", "1 分钟")]
    [InlineData(119L, "1 min", "1 分钟")]
    [InlineData(37 * 60L, "37 min", "37 分钟")]
    [InlineData(59 * 60L + 59, "59 min", "59 分钟")]
    // One tick short of an hour is still 59 min.
    [InlineData(TimeSpan.TicksPerHour - 1, "59 min", "59 分钟", true)]
    // Hours: a zero minute part is left out.
    [InlineData(60 * 60L, "1 h", "1 小时")]
    [InlineData(60 * 60L + 59, "1 h", "1 小时")]
    [InlineData(61 * 60L, "1 h 1 min", "1 小时 1 分钟")]
    [InlineData(2 * 3600L + 5 * 60, "2 h 5 min", "2 小时 5 分钟")]
    [InlineData(23 * 3600L + 59 * 60 + 59, "23 h 59 min", "23 小时 59 分钟")]
    // Days: 24 elapsed hours each; the minutes are cut, and a zero hour part is left out.
    [InlineData(24 * 3600L, "1 d", "1 天")]
    [InlineData(24 * 3600L + 59 * 60, "1 d", "1 天")]
    [InlineData(25 * 3600L, "1 d 1 h", "1 天 1 小时")]
    [InlineData(27 * 3600L + 30 * 60, "1 d 3 h", "1 天 3 小时")]
    [InlineData(47 * 3600L + 59 * 60 + 59, "1 d 23 h", "1 天 23 小时")]
    [InlineData(48 * 3600L, "2 d", "2 天")]
    [InlineData(400 * 86400L + 5 * 3600, "400 d 5 h", "400 天 5 小时")]
    public void LastedReadsInWholeUnitsCutNeverRoundedUp(long elapsed, string english, string chinese, bool ticks = false)
    {
        var resolvedAt = RaisedAt + (ticks ? TimeSpan.FromTicks(elapsed) : TimeSpan.FromSeconds(elapsed));
        Assert.Equal(english, InCulture("en", () => AlertDurations.Lasted(RaisedAt, resolvedAt, Text, "—")));
        Assert.Equal(chinese, InCulture("zh-CN", () => AlertDurations.Lasted(RaisedAt, resolvedAt, Text, "—")));
    }

    [Fact]
    public void TheOffsetsOfTheTwoInstantsDoNotChangeTheElapsedTime()
    {
        // Raised 10:00 +08:00, resolved 03:05 UTC the next day: 1 d 1 h 5 min elapsed, never read from the wall clocks.
        var raised = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.FromHours(8));
        var resolved = new DateTimeOffset(2026, 12, 6, 3, 5, 0, TimeSpan.Zero);
        Assert.Equal("1 d 1 h", InCulture("en", () => AlertDurations.Lasted(raised, resolved, Text, "—")));
    }

    [Fact]
    public void AnOpenAlertShowsNoneAndAResolvedTimeBeforeTheRaisedOneReadsAsUnderAMinute()
    {
        Assert.Equal("—", InCulture("en", () => AlertDurations.Lasted(RaisedAt, null, Text, "—")));

        // Two silos' clocks a few seconds apart: never a negative duration.
        Assert.Equal("under 1 min", InCulture("en", () => AlertDurations.Lasted(RaisedAt, RaisedAt.AddMinutes(-3), Text, "—")));
    }
}
