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

    [Fact]
    public void UnderConcurrentRecordsAndTakesTheCountIsWhatIsKeptAndNeverPastTheMostKept()
    {
        // Several pulling agents record and take at once, crossing the bound many times: the drop-all past it must not
        // lose or double a count (a Clear racing an add or a take left Count off from what is kept), nor let several
        // adds at the bound all in. A race shows in some rounds only: ten rounds on real threads.
        for (var round = 0; round < 10; round++)
        {
            RecordAndTakeConcurrently(threads: 4, perThread: 30_000, round);
        }
    }

    private static void RecordAndTakeConcurrently(int threads, int perThread, int round)
    {
        var failures = new ConsumerFailures();
        var failure = new InvalidOperationException("x");
        var highest = 0;
        using var start = new Barrier(threads + 1);
        var done = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                long sequence = (long)t * perThread + i;
                failures.Record(sequence, failure);
                if (i % 3 == 0)
                {
                    failures.Take(sequence - 1);
                }
            }

            Interlocked.Increment(ref done);
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        while (Volatile.Read(ref done) < threads)
        {
            highest = Math.Max(highest, failures.Count);
        }

        workers.ForEach(w => w.Join());
        var counted = failures.Count;
        var kept = Enumerable.Range(0, threads * perThread).Count(s => failures.Take(s) is not null);

        Assert.True(highest <= ConsumerFailures.MaxKept, $"round {round}: Count reached {highest}, past {ConsumerFailures.MaxKept}");
        Assert.True(kept == counted, $"round {round}: Count said {counted}, {kept} were kept");
        Assert.InRange(kept, 1, ConsumerFailures.MaxKept);
        Assert.Equal(0, failures.Count);
    }
}
