using System.Diagnostics.Metrics;
using Engagement.Console.Services;

namespace Engagement.Console.Tests;

/// <summary>
/// The queue tile never shows old counts as live: the sampler keeps a queue's last count when its reads fail and only
/// <c>engagement.queue.depth_age</c> grows, so <see cref="OperationsGauges.Queues"/> reads that age beside the count and
/// <see cref="OperationsGauges.Stale"/> says the depths could not be read once a count is older than two sample intervals.
/// </summary>
public sealed class OperationsGaugesTests
{
    [Fact]
    public void ACountOlderThanTwoSampleIntervalsIsStaleWithItsAge()
    {
        // A sampler whose reads have failed for 5 minutes (a queue name of this test only; the host's samplers report theirs).
        var queue = "ops-stale-" + Guid.NewGuid().ToString("N")[..8];
        using var meter = new Meter("Engagement.Console.Tests." + queue);
        var age = 300.0;
        meter.CreateObservableGauge(OperationsGauges.QueueMessages, () => new Measurement<long>(42, new KeyValuePair<string, object?>("queue", queue)));
        meter.CreateObservableGauge(OperationsGauges.QueueDepthAge, () => new Measurement<double>(age, new KeyValuePair<string, object?>("queue", queue)));

        var stale = OperationsGauges.Queues().Where(q => q.Queue == queue).ToList();
        Assert.Equal([new QueueDepth(queue, 42, false, TimeSpan.FromSeconds(300))], stale);
        Assert.Equal(TimeSpan.FromSeconds(300), OperationsGauges.Stale(stale, TimeSpan.FromSeconds(30)));

        // Read 60 s ago at a 30 s interval (one sample late, the next on its way) is live; 61 s is not.
        age = 60;
        var late = OperationsGauges.Queues().Where(q => q.Queue == queue).ToList();
        Assert.Null(OperationsGauges.Stale(late, TimeSpan.FromSeconds(30)));
        age = 61;
        Assert.Equal(TimeSpan.FromSeconds(61), OperationsGauges.Stale(OperationsGauges.Queues().Where(q => q.Queue == queue).ToList(), TimeSpan.FromSeconds(30)));
        Assert.Null(OperationsGauges.Stale([], TimeSpan.FromSeconds(30)));
    }
}
