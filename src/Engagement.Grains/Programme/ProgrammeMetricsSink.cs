using System.Collections.Concurrent;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Where a member's metric contributions go (the seam the member outbox calls; see WIRING in the metrics branch
/// report): groups them by aggregator and applies each group, in parallel. At-least-once is enough: the aggregators
/// apply each contribution once, so an outbox that re-emits after a crash changes nothing.
/// </summary>
public interface IProgrammeMetricsSink
{
    /// <summary>Applies <paramref name="contributions"/>; returns once every aggregator has them durably (throws otherwise: re-emit later).</summary>
    Task ApplyAsync(IReadOnlyList<MetricContribution> contributions);
}

/// <summary>
/// The sink on the aggregator grains, batching per aggregator on the caller's side: contributions for an aggregator are
/// collected for <see cref="MetricsOptions.SendLingerMilliseconds"/> (real time, not the engine clock: it is a batching
/// window) and while a call to it is in flight, then go in one call (one message and one commit for many members'
/// contributions, not one each). Each caller returns only once the call that carried its contributions returned, i.e.
/// once they are durable; a failed call fails every caller it carried (their outboxes re-emit).
/// </summary>
public sealed class GrainProgrammeMetricsSink(IGrainFactory grains, IOptions<MetricsOptions>? options = null) : IProgrammeMetricsSink
{
    private readonly TimeSpan _linger = TimeSpan.FromMilliseconds(options?.Value.SendLingerMilliseconds ?? 0);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        if (contributions.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Task.WhenAll(contributions
            .GroupBy(MetricKeys.Of, StringComparer.Ordinal)
            .Select(g => Enqueue(g.Key, [.. g])));
    }

    private Task Enqueue(string key, List<MetricContribution> contributions)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = _pending.GetOrAdd(key, static _ => new Pending());
        bool start;
        lock (pending)
        {
            pending.Waiting.Add((contributions, done));
            start = !pending.Sending;
            pending.Sending = true;
        }

        if (start)
        {
            // Off the calling grain's scheduler: the loop carries other members' contributions too.
            _ = Task.Run(() => SendAsync(key, pending));
        }

        return done.Task;
    }

    private async Task SendAsync(string key, Pending pending)
    {
        while (true)
        {
            if (_linger > TimeSpan.Zero)
            {
                await Task.Delay(_linger, TimeProvider.System);
            }

            List<(List<MetricContribution> Contributions, TaskCompletionSource Done)> batch;
            lock (pending)
            {
                if (pending.Waiting.Count == 0)
                {
                    pending.Sending = false;
                    // Idle: forget the key (a caller still holding this entry starts its own loop on it).
                    _pending.TryRemove(KeyValuePair.Create(key, pending));
                    return;
                }

                batch = [.. pending.Waiting];
                pending.Waiting.Clear();
            }

            try
            {
                await grains.GetGrain<IMetricAggregatorGrain>(key).ApplyAsync(new Immutable<IReadOnlyList<MetricContribution>>([.. batch.SelectMany(b => b.Contributions)]));
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }
        }
    }

    /// <summary>One aggregator's contributions waiting for the next call, and whether a send loop runs.</summary>
    private sealed class Pending
    {
        public List<(List<MetricContribution> Contributions, TaskCompletionSource Done)> Waiting { get; } = [];

        public bool Sending { get; set; }
    }
}
