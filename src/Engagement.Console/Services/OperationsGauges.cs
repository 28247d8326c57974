using System.Diagnostics.Metrics;

namespace Engagement.Console.Services;

/// <summary>One queue's depth as its silo last read it: the queue service's approximate message count, messages.</summary>
/// <param name="Queue">The queue's name (an event queue <c>{prefix}-{n}</c> or the poison queue).</param>
/// <param name="Messages">Messages waiting (held invisible by a reader included).</param>
/// <param name="DeadLetters">Whether it is the poison (dead-letter) queue.</param>
/// <param name="Age">
/// How long ago the count was read (<c>engagement.queue.depth_age</c>); null when no age is reported. The sampler keeps the
/// last count when a read fails, so only this says the count is old.
/// </param>
public sealed record QueueDepth(string Queue, long Messages, bool DeadLetters, TimeSpan? Age = null);

/// <summary>
/// The operations figures this silo already keeps as gauges on the <c>Engagement.Azure</c> meter, read in process the way
/// a <c>/metrics</c> scrape reads them: the queue depths the background sampler last read
/// (<c>engagement.queue.messages</c>, <c>engagement.queue.dead_letter.messages</c>, tag <c>queue</c>) and the age of the
/// newest complete backup (<c>engagement.backup.newest_complete_age</c>, seconds). Never a read of storage by itself
/// (the backup gauge reads the container's manifests at most once a minute, as a scrape would make it). docs/monitoring.md "Queue depths", "Backup freshness".
/// </summary>
public static class OperationsGauges
{
    /// <summary>Gauge of an event queue's approximate message count.</summary>
    public const string QueueMessages = "engagement.queue.messages";

    /// <summary>Gauge of the poison queue's approximate message count.</summary>
    public const string DeadLetterMessages = "engagement.queue.dead_letter.messages";

    /// <summary>Gauge of the seconds since a queue's count was last read (tag <c>queue</c>).</summary>
    public const string QueueDepthAge = "engagement.queue.depth_age";

    /// <summary>
    /// The silo's default queue-depth sample interval (<c>Engagement:Operations:QueueDepthSampleEvery</c>, 30 s,
    /// <c>QueueDepthMetrics.DefaultSampleEvery</c>).
    /// </summary>
    public static readonly TimeSpan DefaultSampleEvery = TimeSpan.FromSeconds(30);

    /// <summary>Gauge of the seconds since the newest complete backup finished.</summary>
    public const string BackupAge = "engagement.backup.newest_complete_age";

    /// <summary>
    /// Every queue's latest depth, sorted by name with the poison queue last; empty when no sampler runs here or none has
    /// answered yet. A queue several samplers report (tests host more than one) shows the highest count and the
    /// freshest read's age.
    /// </summary>
    public static IReadOnlyList<QueueDepth> Queues()
    {
        var depths = new Dictionary<(string, bool), long>();
        var ages = new Dictionary<string, double>(StringComparer.Ordinal);
        Observe([QueueMessages, DeadLetterMessages, QueueDepthAge], (instrument, value, tags) =>
        {
            var queue = Tag(tags, "queue");
            if (queue is null)
            {
                return;
            }

            if (instrument == QueueDepthAge)
            {
                ages[queue] = Math.Min(ages.GetValueOrDefault(queue, double.MaxValue), value);
                return;
            }

            var key = (queue, instrument == DeadLetterMessages);
            depths[key] = Math.Max(depths.GetValueOrDefault(key, long.MinValue), (long)value);
        });
        return depths.OrderBy(d => d.Key.Item2).ThenBy(d => d.Key.Item1, StringComparer.Ordinal)
            .Select(d => new QueueDepth(d.Key.Item1, d.Value, d.Key.Item2, ages.TryGetValue(d.Key.Item1, out var age) ? TimeSpan.FromSeconds(age) : null)).ToList();
    }

    /// <summary>
    /// The oldest count's age when any count is older than twice <paramref name="sampleEvery"/> (the sampler's reads
    /// failing: it keeps the last counts and only their age grows), else null: the tile then says the depths could not be
    /// read for that long instead of showing old counts as live.
    /// </summary>
    /// <param name="queues">The depths, as <see cref="Queues"/> read them.</param>
    /// <param name="sampleEvery">The silo's sample interval (<c>Engagement:Operations:QueueDepthSampleEvery</c>).</param>
    public static TimeSpan? Stale(IReadOnlyList<QueueDepth> queues, TimeSpan sampleEvery)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var oldest = queues.Select(q => q.Age).Max();
        return oldest is { } age && age > 2 * sampleEvery ? age : null;
    }

    /// <summary>
    /// The age of the newest complete backup of this cluster, or null when none is known yet (no backups configured,
    /// none complete, or the first read of the manifests not finished: it starts at the first observation).
    /// </summary>
    public static TimeSpan? NewestBackupAge()
    {
        double? seconds = null;
        Observe([BackupAge], (_, value, _) => seconds = Math.Min(seconds ?? double.MaxValue, value));
        return seconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private delegate void Measured(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    private static void Observe(string[] names, Measured measured)
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (names.Contains(instrument.Name, StringComparer.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured(instrument.Name, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured(instrument.Name, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
    }
}
