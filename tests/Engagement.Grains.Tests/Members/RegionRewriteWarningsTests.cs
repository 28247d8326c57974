using Engagement.Domain.Members;
using Engagement.Grains.Members;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Tests.Members;

/// <summary>An event's regionId that is rewritten to count (docs/programme-health.md) is logged once per distinct value, in bounded memory.</summary>
public sealed class RegionRewriteWarningsTests
{
    [Fact]
    public void EachDistinctRewrittenRegionIdIsWarnedOnceAndAnUnchangedOneNever()
    {
        var log = new CapturingLogger();
        var warnings = new RegionRewriteWarnings(capacity: 10);

        foreach (var regionId in new[] { "a b/c", "East.Zone:1", "a b/c", "east", " East ", null, "", "East.Zone:1" })
        {
            warnings.Warn(log, regionId);
        }

        Assert.Equal(2, log.Warnings.Count);
        Assert.StartsWith("Event regionId a b/c counts under region abc: ", log.Warnings[0], StringComparison.Ordinal);
        Assert.StartsWith("Event regionId East.Zone:1 counts under region eastzone1: ", log.Warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PastItsCapacityItSaysOnceThatItStopsAndRemembersNoMore()
    {
        var log = new CapturingLogger();
        var warnings = new RegionRewriteWarnings(capacity: 2);

        foreach (var regionId in new[] { "a.1", "a.2", "a.3", "a.4", "a.1" })
        {
            warnings.Warn(log, regionId);
        }

        Assert.Equal(3, log.Warnings.Count);
        Assert.StartsWith("2 distinct rewritten event regionIds were logged", log.Warnings[2], StringComparison.Ordinal);
        Assert.Equal(2, warnings.Remembered);
    }

    [Theory]
    [InlineData(EventStatus.Applied, 1)]
    [InlineData(EventStatus.Held, 1)]
    [InlineData(EventStatus.Rejected, 0)]
    [InlineData(EventStatus.Duplicate, 0)]
    public void OnlyAnEventWhoseRegionCountsIsWarnedAbout(EventStatus status, int warned)
    {
        var log = new CapturingLogger();
        var warnings = new RegionRewriteWarnings(capacity: 10);

        warnings.Warn(log, status, "a b/c");

        Assert.Equal(warned, log.Warnings.Count);
        Assert.Equal(warned, warnings.Remembered);
    }

    [Fact]
    public async Task RacingFirstSightingsNeverRememberMoreThanTheCapacity()
    {
        var log = new CapturingLogger();
        var warnings = new RegionRewriteWarnings(capacity: 4);
        using var start = new Barrier(4);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 250; i++)
            {
                warnings.Warn(log, $"t.{thread}.{i}");
            }
        })));

        Assert.Equal(4, warnings.Remembered);
        Assert.Equal(5, log.Warnings.Count);
        Assert.Single(log.Warnings, w => w.StartsWith("4 distinct rewritten event regionIds were logged", StringComparison.Ordinal));
    }

    private sealed class CapturingLogger : ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _warnings = new();

        public IReadOnlyList<string> Warnings => [.. _warnings];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                _warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}
