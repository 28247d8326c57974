using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A member active in one region only (its entry stores no bitmaps: the programme's days are its own) marks a new day
/// once: <see cref="DistinctCounts"/> gives the region the programme's new bitmaps instead of marking the same days
/// again for the region and once more for its entry (four more bitmaps of 80 bytes per new day).
/// The state and the counts are those of marking each scope on its own.
/// </summary>
public sealed class SharedRegionBitmapsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly MetricsOptions _options = new();

    [Theory]
    [InlineData("login")]
    [InlineData("purchase")]
    public void ANewDayInTheOnlyRegionMakesEachNewBitmapOnce(string type)
    {
        var s = MemberMetricState.Empty;
        foreach (var (t, day) in new[] { ("login", D0), ("purchase", D0), ("browse", D0.AddDays(1)) })
        {
            s = DistinctCounts.Count(s, t, "east", day, new ContributionSink(T("m1", "e", day, t, after: Seg("east")), _options));
        }

        Assert.True(s.Regions is [{ Region: "east" } only] && only.Active is null, "one region, holding the programme's days");
        var next = D0.AddDays(2);
        var transition = T("m1", "e", next, type, after: Seg("east"));

        // Each way: the same state (as stored) and the same contributions.
        var sinkKept = new ContributionSink(transition, _options);
        var sinkRebuilt = new ContributionSink(transition, _options);
        var kept = DistinctCounts.Count(s, type, "east", next, sinkKept);
        var rebuilt = DistinctCounts.Count(s, type, "east", next, sinkRebuilt, keepUnmoved: false);
        Assert.Equal(JsonSerializer.Serialize(rebuilt, Web), JsonSerializer.Serialize(kept, Web));
        Assert.Equal(JsonSerializer.Serialize(sinkRebuilt.Build(1), Web), JsonSerializer.Serialize(sinkKept.Build(1), Web));

        // Two bitmaps move (active and the event's own): made once for the programme, not twice more for the region and its
        // entry. Besides them the call copies the state once and adds to the sink: 360 bytes in all here, 680 when the
        // region marked its own (six bitmaps).
        var bitmap = AllocationProbe.FewestBytes(() => DayBits.Empty.With(next));
        var copy = AllocationProbe.FewestBytes(() => _ = s with { });
        var keptBytes = AllocationProbe.FewestBytes(() => DistinctCounts.Count(s, type, "east", next, new ContributionSink(transition, _options)));
        Assert.True(keptBytes - copy < 4 * bitmap, $"{keptBytes} bytes: the state's copy {copy}, a bitmap {bitmap}");
    }
}
