using Engagement.Azure.Streaming;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>Which failure of a message its poison reason names: the first, with a later cause added when only a later one names it.</summary>
public sealed class MessageFailuresTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void TheFirstFailureIsKeptOverALaterOneWithAnotherCause()
    {
        var failures = new MessageFailures(10);
        failures.Record("m", "first", "refused", At);
        failures.Record("m", "later", "knock-on", At.AddMinutes(1));

        Assert.Equal("first", failures.Take("m"));
        Assert.Null(failures.Take("m"));
    }

    [Fact]
    public void AFirstFailureWithoutACauseKeepsItsTextAndTimeAndGainsTheFirstLaterCauseOnce()
    {
        var failures = new MessageFailures(10);
        failures.Record("m", "first (at T1)", why: null, At);
        failures.Record("m", "later (at T2): refused", "refused", At.AddMinutes(1));
        failures.Record("m", "last (at T3): knock-on", "knock-on", At.AddMinutes(2));
        failures.Record("m", "last (at T4)", why: null, At.AddMinutes(3));

        Assert.Equal("first (at T1); cause seen at 2026-12-01T14:31:00.0000000+00:00: refused", failures.Take("m"));
    }

    [Fact]
    public void PastTheBoundAllAreDroppedAndADeletedMessageIsForgotten()
    {
        var failures = new MessageFailures(2);
        failures.Record("a", "a", "x", At);
        failures.Record("b", "b", "x", At);
        failures.Record("b", "b again", "x", At);
        Assert.Equal(2, failures.Count);

        failures.Record("c", "c", "x", At);
        Assert.Equal(1, failures.Count);
        Assert.Null(failures.Take("a"));

        failures.Forget("c");
        Assert.Equal(0, failures.Count);
    }
}
