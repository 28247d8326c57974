using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// An outcome that moves none of the member's gauges keeps its <see cref="MemberSegments"/>, and one that also
/// contributes nothing keeps its whole <see cref="MemberMetricState"/>: the same instances, serializing exactly as a
/// fresh copy would (<see cref="MemberMetricsPolicy.Segments(MemberState, ProgramOptions, DateTimeOffset)"/>).
/// </summary>
public sealed class UnmovedMetricStateTests
{
    private static readonly MetricsOptions Metrics = new() { Shards = 4 };

    private static readonly DateTimeOffset Noon = TestMember.Shanghai(2026, 11, 23, 12);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static MemberEvent Event(string id, string type, DateTimeOffset at, string? order = null, decimal? amount = null) =>
        new(id, type, at) { RegionId = "East", OrderId = order, Amount = amount };

    [Fact]
    public void ASecondBrowseOfTheDayKeepsTheSegmentsAndTheMetricStateAsTheyWere()
    {
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100.50m), options, Noon, Metrics);
        MemberDecider.Apply(state, Event("e2", "browse", Noon.AddMinutes(1)), options, Noon.AddMinutes(1), Metrics);
        var metrics = state.Metrics;
        var segments = metrics.Segments!;

        var outcome = MemberDecider.Apply(state, Event("e3", "browse", Noon.AddMinutes(2)), options, Noon.AddMinutes(2), Metrics);

        Assert.True(outcome.StateChanged);
        Assert.Same(metrics, state.Metrics);
        Assert.Same(segments, state.Metrics.Segments);
        Assert.Equal(
            JsonSerializer.Serialize(MemberMetricsPolicy.Segments(state, options, Noon.AddMinutes(2)), Web),
            JsonSerializer.Serialize(state.Metrics.Segments, Web));
    }

    [Fact]
    public void APurchaseThatMovesTheMonetaryGaugeGetsNewSegments()
    {
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100m), options, Noon, Metrics);
        var segments = state.Metrics.Segments!;

        MemberDecider.Apply(state, Event("e2", "purchase", Noon.AddMinutes(1), "O2", 50m), options, Noon.AddMinutes(1), Metrics);

        Assert.NotSame(segments, state.Metrics.Segments);
        Assert.Equal(150m, state.Metrics.Segments!.Monetary);
        Assert.Equal(MemberMetricsPolicy.Segments(state, options, Noon.AddMinutes(1)), state.Metrics.Segments);
    }

    [Fact]
    public void SegmentsEqualInValueButNotInTheAmountsScaleAreNotKept()
    {
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100m), options, Noon, Metrics);
        var now = MemberMetricsPolicy.Segments(state, options, Noon);
        // Amounts are kept at the fen (Money.AtMinorUnit): 100.00 here, so the same value at another scale is 100.000.
        var scaled = now with { Monetary = 100.000m };

        Assert.Same(now, MemberMetricsPolicy.Segments(state, options, Noon, now));
        Assert.NotSame(scaled, MemberMetricsPolicy.Segments(state, options, Noon, scaled));
    }

    [Fact]
    public void AnIdleStretchThatMovesOnlyTheStageGetsNewSegments()
    {
        // RFM recency stays 5 for 100 days, so 40 idle days move the lifecycle stage and nothing else.
        var options = new ProgramOptions { Rfm = new RfmOptions { Recency5MaxDays = 100, Recency4MaxDays = 200, Recency3MaxDays = 300 } };
        var state = new MemberState { MemberId = "M1" };
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100m), options, Noon, Metrics);
        var segments = state.Metrics.Segments!;
        var later = Noon.AddDays(40);

        var tick = MemberDecider.Tick(state, options, later, metrics: Metrics);

        var now = state.Metrics.Segments!;
        Assert.NotSame(segments, now);
        Assert.NotEqual(segments.Stage, now.Stage);
        Assert.Equal(segments with { Stage = now.Stage }, now);
        Assert.Equal(MemberMetricsPolicy.Segments(state, options, later), now);
        Assert.Contains(Gauges(tick.Effects), c => c.IsGauge);
    }

    [Fact]
    public void AnIdleStretchThatMovesOnlyTheRfmSegmentGetsNewSegments()
    {
        // Recency 5 ends after one day; the stage keeps "new" for 30 days, points and spend do not move.
        var options = new ProgramOptions { Rfm = new RfmOptions { Recency5MaxDays = 1 } };
        var state = new MemberState { MemberId = "M1" };
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100m), options, Noon, Metrics);
        var segments = state.Metrics.Segments!;
        var later = Noon.AddDays(3);

        var tick = MemberDecider.Tick(state, options, later, metrics: Metrics);

        var now = state.Metrics.Segments!;
        Assert.NotSame(segments, now);
        Assert.NotEqual(segments.RfmSegment, now.RfmSegment);
        Assert.Equal(segments with { RfmSegment = now.RfmSegment }, now);
        Assert.Equal(MemberMetricsPolicy.Segments(state, options, later), now);
        Assert.Contains(Gauges(tick.Effects), c => c.IsGauge);
    }

    private static IEnumerable<MetricContribution> Gauges(IEnumerable<MemberEffect> effects) =>
        effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions);
}
