using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Grains.Tests.Programme;

/// <summary>What a member's metrics lane reports back to the member's outbox.</summary>
public sealed class MetricContributionHandlerTests
{
    [Fact]
    public async Task EmitAllReportsContributionsTheAggregatorsAlreadyConfirmedAndDoesNotQueueThemAgain()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        List<MemberEffect> effects = [Record("e:1"), Record("e:2")];

        // The member's write emits in the background; the aggregators confirm both (the lane takes the answer
        // synchronously inside Answer.SetResult, so they are confirmed before the next line).
        Assert.Equal(0, await handler.EmitAsync("m1", effects));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent them");
        sink.Answer.SetResult();

        // Deactivation (or a ledger read) asks for everything: both are confirmed, so the outbox can drop them.
        Assert.Equal(2, await handler.EmitAllAsync("m1", effects));

        // Nothing of them is queued again: the next emit of a new contribution sends only that one.
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:3")]));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent the new one");
        Assert.Equal(2, sink.Calls.Count);
        Assert.Equal(["e:1", "e:2"], sink.Calls[0]);
        Assert.Equal(["e:3"], sink.Calls[1]);
    }

    private static RecordMetrics Record(string outcome) =>
        new(outcome, [new MetricContribution { Id = outcome, MemberId = "m1", RegionId = "east", Day = new DateOnly(2026, 11, 24), Counters = new Dictionary<string, long> { [outcome] = 1 } }]);

    private sealed class CountingSink : IProgrammeMetricsSink, IDisposable
    {
        public List<List<string>> Calls { get; } = [];

        /// <summary>What the first call returns (later calls return at once).</summary>
        public TaskCompletionSource Answer { get; } = new();

        /// <summary>Released once per call.</summary>
        public SemaphoreSlim Called { get; } = new(0);

        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
        {
            lock (Calls)
            {
                Calls.Add([.. contributions.SelectMany(c => c.Counters.Keys)]);
            }

            Called.Release();
            return Calls.Count == 1 ? Answer.Task : Task.CompletedTask;
        }

        public void Dispose() => Called.Dispose();
    }
}
