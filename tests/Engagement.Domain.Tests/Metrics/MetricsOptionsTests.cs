using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

public class MetricsOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public void ASendLingerUpToFiveSecondsIsValid(int milliseconds) =>
        Assert.Empty(new MetricsOptions { SendLingerMilliseconds = milliseconds }.Validate());

    [Theory]
    [InlineData(-1)]
    [InlineData(5_001)]
    public void ASendLingerOutsideZeroToFiveSecondsIsRefusedByName(int milliseconds) =>
        Assert.Equal(["SendLingerMilliseconds must be 0–5000."], new MetricsOptions { SendLingerMilliseconds = milliseconds }.Validate());
}
