using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>A rule turned off (<c>Engagement:Alerts:Disabled</c>) while an episode of it is open.</summary>
public sealed class AlertRuleTurnedOffTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnOpenEpisodeOfARuleTurnedOffIsResolvedSayingWhy()
    {
        var open = AlertBook.Raise(new AlertBookState(), AlertRules.ComplaintsHigh, "east", 0.05, 0.03, "complaint rate 5%", Now);
        var other = AlertBook.Raise(open, AlertRules.PointsRedemptionBand, "east", 0.2, 0.28, "points 20%", Now);

        // The turned-off rule is not observed any more (Observe leaves it out); its episode must not stay open for ever.
        var after = AlertBook.Apply(other, [], Now.AddHours(1), 10, [AlertRules.ComplaintsHigh]);

        Assert.Equal([AlertRules.PointsRedemptionBand], after.Open.Values.Select(a => a.Rule));
        var resolved = after.History.Single();
        Assert.Equal("complaints.high:east:1", resolved.AlertId);
        Assert.Equal(Now.AddHours(1), resolved.ResolvedAt);
        Assert.Contains("turned off", resolved.Message, StringComparison.Ordinal);
        Assert.Equal("complaints.high:east:1:resolved", after.Outbox[^1].MessageId);
    }

    /// <summary>
    /// A rule turned off resolves its episode with no value, so the value kept is the breaching one it was raised at: the
    /// console's history showed "5% / 3%" beside "resolved" as if it had resolved while over. The record says the resolve
    /// carried no value; one resolved by a judgement back within the threshold says it did.
    /// </summary>
    [Fact]
    public void AnEpisodeResolvedByTurningItsRuleOffSaysNoValueResolvedIt()
    {
        var open = AlertBook.Raise(new AlertBookState(), AlertRules.ComplaintsHigh, "east", 0.05, 0.03, "complaint rate 5%", Now);
        open = AlertBook.Raise(open, AlertRules.ComplaintsHigh, "west", 0.05, 0.03, "complaint rate 5%", Now);
        Assert.All(open.Open.Values, a => Assert.Null(a.ResolvedWithValue));

        var judged = AlertBook.Resolve(open, AlertRules.ComplaintsHigh, "west", 0.02, Now.AddHours(1), 10);
        var after = AlertBook.Apply(judged, [], Now.AddHours(2), 10, [AlertRules.ComplaintsHigh]);

        var turnedOff = after.History.Single(a => a.RegionId == "east");
        Assert.False(turnedOff.ResolvedWithValue);
        Assert.Equal(0.05, turnedOff.Value);
        Assert.False(after.Outbox.Single(a => a.MessageId == "complaints.high:east:1:resolved").ResolvedWithValue);
        var back = after.History.Single(a => a.RegionId == "west");
        Assert.True(back.ResolvedWithValue);
        Assert.Equal(0.02, back.Value);
    }
}
