using System.Collections.Concurrent;
using Engagement.Domain.Metrics;

namespace Engagement.Console.Tests;

/// <summary>
/// The host's programme days reader, where a test can make the next read of one region's days time out (a
/// <see cref="TaskCanceledException"/>, as a storage SDK timeout behind the aggregators reaches the caller).
/// </summary>
public sealed class FlakyDaysReader(IProgrammeDaysReader inner) : IProgrammeDaysReader
{
    private readonly ConcurrentDictionary<string, bool> _failNext = new(StringComparer.Ordinal);

    /// <summary>The next <see cref="DaysAsync"/> of <paramref name="regionId"/> throws, once.</summary>
    public void FailNextRead(string regionId) => _failNext[regionId] = true;

    public Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to) =>
        regionId is not null && _failNext.TryRemove(regionId, out _)
            ? throw new TaskCanceledException($"test: reading the days of region {regionId} timed out")
            : inner.DaysAsync(regionId, from, to);

    public Task<long> MembersAsync(string? regionId) => inner.MembersAsync(regionId);
}
