using Engagement.Azure.Streaming;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>Which failure of a message its poison reason names: the first, unless only a later one names a cause.</summary>
public sealed class MessageFailuresTests
{
    [Fact]
    public void TheFirstFailureIsKeptOverALaterOneWithAnotherCause()
    {
        var failures = new MessageFailures(10);
        failures.Record("m", "first: refused", explained: true);
        failures.Record("m", "later: knock-on", explained: true);

        Assert.Equal("first: refused", failures.Take("m"));
        Assert.Null(failures.Take("m"));
    }

    [Fact]
    public void AFirstFailureWithoutACauseGivesWayToALaterOneWithACauseButNotTheOtherWayRound()
    {
        var failures = new MessageFailures(10);
        failures.Record("m", "first: no cause seen", explained: false);
        failures.Record("m", "later: refused", explained: true);
        failures.Record("m", "last: no cause seen", explained: false);

        Assert.Equal("later: refused", failures.Take("m"));
    }

    [Fact]
    public void PastTheBoundAllAreDroppedAndADeletedMessageIsForgotten()
    {
        var failures = new MessageFailures(2);
        failures.Record("a", "a", explained: true);
        failures.Record("b", "b", explained: true);
        failures.Record("b", "b again", explained: true);
        Assert.Equal(2, failures.Count);

        failures.Record("c", "c", explained: true);
        Assert.Equal(1, failures.Count);
        Assert.Null(failures.Take("a"));

        failures.Forget("c");
        Assert.Equal(0, failures.Count);
    }
}
