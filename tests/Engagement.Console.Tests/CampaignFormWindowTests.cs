using Engagement.Console.Components.Shared;

namespace Engagement.Console.Tests;

/// <summary>
/// The create form's window (<see cref="CampaignForm"/>, pure): what a marketer types never throws (the page builds the
/// definition on every render), the days are capped, and a window across a clock change ends at its wall-clock time.
/// </summary>
public sealed class CampaignFormWindowTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void AStartWithNoInstantIsNamedUnderTheStartNotThrown()
    {
        var form = new CampaignForm { From = "0001-01-01 00:00", Days = "1" };

        Assert.Null(form.ValidFrom(Shanghai));
        Assert.Contains(("f-from", "Form_FromInvalid"), form.Check(Shanghai));
        Assert.Equal(default, form.ToDefinition(Shanghai).ValidFrom);
    }

    [Theory]
    [InlineData(3_000_000, "Form_DaysMax")]
    [InlineData(CampaignForm.MaxDays + 1, "Form_DaysMax")]
    public void TooManyDaysAreNamedUnderTheDaysNotThrown(int days, string text)
    {
        var form = new CampaignForm { From = "2026-12-01 10:00", Days = days.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Contains(("f-days", text), form.Check(Shanghai));
        Assert.Equal(default, form.ToDefinition(Shanghai).ValidUntil);
    }

    [Fact]
    public void AnEndAfterYear9999IsNamedUnderTheDaysNotThrown()
    {
        var form = new CampaignForm { From = "9999-12-30 10:00", Days = "10" };

        Assert.Contains(("f-days", "Form_EndTooLate"), form.Check(Shanghai));
        Assert.Equal(default, form.ToDefinition(Shanghai).ValidUntil);
    }

    [Fact]
    public void AWindowAcrossSpringForwardEndsAtTheWallClockTimeItStarted()
    {
        var form = new CampaignForm { From = "2026-03-07 12:00", Days = "2" };

        Assert.Equal(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.FromHours(-5)), form.ValidFrom(NewYork));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 12, 0, 0, TimeSpan.FromHours(-4)), form.ToDefinition(NewYork).ValidUntil);
        Assert.Null(form.MovedStart(NewYork));
    }

    [Fact]
    public void AStartInTheSpringForwardGapIsMovedForwardAndSaysTo()
    {
        var form = new CampaignForm { From = "2026-03-08 02:30", Days = "1" };

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 7, 30, 0, TimeSpan.Zero), form.ValidFrom(NewYork));
        Assert.Equal(new DateTime(2026, 3, 8, 3, 30, 0), form.MovedStart(NewYork));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 2, 30, 0, TimeSpan.FromHours(-4)), form.ValidUntil(NewYork));
        Assert.Empty(form.Check(NewYork));
    }

    [Fact]
    public void AStartInTheFallBackOverlapIsTheLaterStandardTimeOne()
    {
        var form = new CampaignForm { From = "2026-11-01 01:30", Days = "1" };

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-5)), form.ValidFrom(NewYork));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 1, 30, 0, TimeSpan.FromHours(-5)), form.ValidUntil(NewYork));
        Assert.Null(form.MovedStart(NewYork));
    }
}
