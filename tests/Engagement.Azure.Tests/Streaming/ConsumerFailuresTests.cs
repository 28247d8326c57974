using Engagement.Azure.Streaming;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// What the silo keeps of why a consumer failed: an item delivered after it failed is forgotten at once, not kept until
/// 1,000 others push it out, and the count follows what is kept.
/// </summary>
public sealed class ConsumerFailuresTests
{
    [Fact]
    public void AnItemDeliveredAfterItFailedIsForgottenAndTheCountFollowsWhatIsKept()
    {
        var failures = new ConsumerFailures();
        failures.Record(7, new InvalidOperationException("first"));
        failures.Record(7, new InvalidOperationException("second"));
        failures.Record(8, new InvalidOperationException("other"));
        Assert.Equal(2, failures.Count);

        failures.Forget(7);

        Assert.Equal(1, failures.Count);
        Assert.Null(failures.Take(7));
        Assert.Equal("InvalidOperationException: other", failures.Take(8));
        Assert.Equal(0, failures.Count);
    }

    [Fact]
    public void PastTheMostKeptAllAreDroppedAndCountingStartsAgain()
    {
        var failures = new ConsumerFailures();
        for (var i = 0; i < ConsumerFailures.MaxKept; i++)
        {
            failures.Record(i, new InvalidOperationException("x"));
        }

        Assert.Equal(ConsumerFailures.MaxKept, failures.Count);
        failures.Record(-1, new InvalidOperationException("newest"));

        Assert.Equal(1, failures.Count);
        Assert.Null(failures.Take(0));
        Assert.Equal("InvalidOperationException: newest", failures.Take(-1));
    }
}
