using System.Collections.Concurrent;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// Warns once per distinct event <c>regionId</c> that <see cref="MetricsOptions.RegionOf"/> rewrites lossily
/// (<see cref="MetricsOptions.IsRewritten"/>: characters dropped, cut at 32, or <c>default</c> in its place), so an
/// operator sees that <c>a b/c</c> counts as <c>abc</c> before two regions merge unnoticed. The event is never refused
/// for its region. Memory is bounded: at most <c>capacity</c> ids are remembered per silo process; past that one more
/// warning says so and no more are logged (a restart starts over).
/// </summary>
/// <param name="capacity">The most distinct ids remembered (and warned about); at least 1.</param>
public sealed partial class RegionRewriteWarnings(int capacity)
{
    /// <summary>The distinct ids a silo process remembers.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);
    private readonly int _capacity = Math.Max(1, capacity);

    // Places taken in _warned, kept apart from it: ConcurrentDictionary.Count takes every bucket lock, and once the set
    // was full each new id paid that on the member's event path. Read with Volatile/Interlocked only.
    private int _count;
    private int _full;

    /// <summary>The one set of a silo process, used by every member activation.</summary>
    public static RegionRewriteWarnings Shared { get; } = new(DefaultCapacity);

    /// <summary>How many distinct ids are remembered now (never more than the capacity).</summary>
    public int Remembered => Volatile.Read(ref _count);

    /// <summary>
    /// <see cref="Warn(ILogger, string?)"/> for an event whose region counts: one applied, or held (a refund waiting for
    /// its purchase counts in its own region once it applies). A rejected event counts nowhere, so its region is not
    /// warned about, even when its rejection changed the member's state.
    /// </summary>
    /// <param name="logger">Where to log.</param>
    /// <param name="status">The member's decision on the event.</param>
    /// <param name="regionId">The event's <c>regionId</c> as sent; null or blank is no region.</param>
    public void Warn(ILogger logger, EventStatus status, string? regionId)
    {
        if (status is EventStatus.Applied or EventStatus.Held)
        {
            Warn(logger, regionId);
        }
    }

    /// <summary>Logs a Warning the first time <paramref name="regionId"/> (as sent) is seen rewritten; nothing otherwise.</summary>
    /// <param name="logger">Where to log.</param>
    /// <param name="regionId">An applied event's <c>regionId</c> as sent; null or blank is no region.</param>
    public void Warn(ILogger logger, string? regionId)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (Volatile.Read(ref _full) != 0 || !MetricsOptions.IsRewritten(regionId) || _warned.ContainsKey(regionId!))
        {
            return;
        }

        // A place is taken before the id is added, so the bound holds exactly under racing first sightings.
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            if (Interlocked.Exchange(ref _full, 1) == 0)
            {
                LogStopped(logger, _capacity);
            }

            return;
        }

        if (_warned.TryAdd(regionId!, 0))
        {
            LogRewritten(logger, regionId!, MetricsOptions.RegionOf(regionId), MetricsOptions.MaxRegionLength, MetricsOptions.DefaultRegion);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event regionId {RegionId} counts under region {Region}: a region keeps only a–z 0–9 - _ in lower case, at most {MaxLength}, "
        + "and one with none of them left (or named all) counts under {DefaultRegion}; regionIds that differ only in what is dropped count as one region")]
    private static partial void LogRewritten(ILogger logger, string regionId, string region, int maxLength, string defaultRegion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} distinct rewritten event regionIds were logged since this silo started; further ones are counted under their rewritten region without a warning")]
    private static partial void LogStopped(ILogger logger, int count);
}
