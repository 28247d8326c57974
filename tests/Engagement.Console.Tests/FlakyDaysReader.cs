using System.Collections.Concurrent;
using Engagement.Domain.Metrics;

namespace Engagement.Console.Tests;

/// <summary>
/// The host's programme days reader, where a test can make the next read of one region's days time out (a
/// <see cref="TaskCanceledException"/>, as a storage SDK timeout behind the aggregators reaches the caller).
/// </summary>
/// <remarks>
/// <see cref="Hold"/> holds and <see cref="Waiting"/> counts only the reads a console page makes (a method of
/// <c>Engagement.Console.Components</c> on the read's call stack, as each page read starts synchronously from the
/// page's load): the alerts grain evaluating its rules meanwhile reads the same region's days and goes on uncounted.
/// </remarks>
public sealed class FlakyDaysReader(IProgrammeDaysReader inner) : IProgrammeDaysReader
{
    private readonly ConcurrentDictionary<string, bool> _failNext = new(StringComparer.Ordinal);

    /// <summary>The next <see cref="DaysAsync"/> of <paramref name="regionId"/> throws, once.</summary>
    public void FailNextRead(string regionId) => _failNext[regionId] = true;

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads of <paramref name="regionId"/>'s days a console page makes wait until <see cref="Release"/> (a
    /// slow store, the reads in flight countable); a grain's reads (an alerts evaluation) go on and are not counted.
    /// </summary>
    public void Hold(string regionId) => _held[regionId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many reads of <paramref name="regionId"/>'s days a console page made are waiting on <see cref="Hold"/> now.</summary>
    public int Waiting(string regionId) => _waiting.GetValueOrDefault(regionId);

    /// <summary>Lets the held reads of <paramref name="regionId"/> (and any later) go on.</summary>
    public void Release(string regionId)
    {
        if (_held.TryRemove(regionId, out var gate))
        {
            gate.TrySetResult();
        }
    }

    public async Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to)
    {
        if (regionId is not null && _failNext.TryRemove(regionId, out _))
        {
            throw new TaskCanceledException($"test: reading the days of region {regionId} timed out");
        }

        if (regionId is not null && _held.ContainsKey(regionId) && FromAPage() && _held.TryGetValue(regionId, out var gate))
        {
            _waiting.AddOrUpdate(regionId, 1, (_, n) => n + 1);
            try
            {
                await gate.Task;
            }
            finally
            {
                _waiting.AddOrUpdate(regionId, 0, (_, n) => n - 1);
            }
        }

        return await inner.DaysAsync(regionId, from, to);
    }

    public Task<long> MembersAsync(string? regionId) => inner.MembersAsync(regionId);

    /// <summary>Whether a console page made the read: a method of <c>Engagement.Console.Components</c> is on its call stack.</summary>
    private static bool FromAPage() =>
        new System.Diagnostics.StackTrace(1, false).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.FullName?.StartsWith("Engagement.Console.Components.", StringComparison.Ordinal) == true);
}
