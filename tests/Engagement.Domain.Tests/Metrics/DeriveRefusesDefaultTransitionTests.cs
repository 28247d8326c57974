using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <see cref="MemberMetrics.Derive"/> refuses a transition that names no segments or no member with an argument
/// exception, not a <see cref="NullReferenceException"/> from deep inside (<see cref="MemberTransition"/> is a struct,
/// so <c>default</c> compiles).
/// </summary>
public sealed class DeriveRefusesDefaultTransitionTests
{
    private static readonly MemberSegments After =
        new() { RegionId = "east", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = 0 };

    [Fact]
    public void ADefaultTransitionIsAnArgumentNullException()
    {
        var error = Assert.Throws<ArgumentNullException>(() => MemberMetrics.Derive(MemberMetricState.Empty, default, new MetricsOptions()));

        Assert.Equal("transition.After", error.ParamName);
    }

    [Fact]
    public void ATransitionWithNoMemberIdIsAnArgumentException()
    {
        var transition = new MemberTransition { MemberId = "", EffectId = "e1", Day = new DateOnly(2026, 11, 23), EventType = "browse", After = After };

        var error = Assert.Throws<ArgumentException>(() => MemberMetrics.Derive(MemberMetricState.Empty, transition, new MetricsOptions()));

        Assert.Equal("transition.MemberId", error.ParamName);
    }
}
