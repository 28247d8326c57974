using Engagement.Azure.Backup;

namespace Engagement.Azure.Tests.Backup;

/// <summary>The backup settings are checked at start-up, each refusal naming its key.</summary>
public sealed class BackupOptionsTests
{
    [Theory]
    [InlineData("00:00:30")]
    [InlineData("12:00:01")]
    public void AStalledAfterOutsideAMinuteToTwelveHoursIsRefusedNamingTheKey(string stalledAfter)
    {
        var result = new BackupOptionsValidator().Validate(null, new BackupOptions { StalledAfter = TimeSpan.Parse(stalledAfter, System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(result.Failed);
        Assert.Contains("Engagement:Backup:StalledAfter", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsAreValid()
    {
        var options = new BackupOptions();
        Assert.Equal(TimeSpan.FromMinutes(10), options.StalledAfter);
        Assert.True(new BackupOptionsValidator().Validate(null, options).Succeeded);
    }
}
