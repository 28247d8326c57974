using System.Collections.Concurrent;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Gauge names (<c>tier:V2</c>) made once and reused (<see cref="GaugeNames.Of"/>), up to <see cref="MaxKept"/> of them; a
/// name past that is made each time it is asked for (same text, a new string), so an unbounded set of values cannot grow
/// the cache. One is shared by the process; tests make their own with a lower cap.
/// </summary>
internal sealed class GaugeNameCache
{
    private readonly ConcurrentDictionary<(string Prefix, string Value), string> _named = new();

    /// <summary>
    /// How many names <see cref="_named"/> holds, kept by hand: <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> takes
    /// every bucket lock, and the cap is checked on each miss.
    /// </summary>
    private int _kept;

    /// <summary>A cache that keeps at most <paramref name="maxKept"/> names.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKept"/> is negative.</exception>
    internal GaugeNameCache(int maxKept)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxKept);
        MaxKept = maxKept;
    }

    /// <summary>How many names this cache keeps at most.</summary>
    internal int MaxKept { get; }

    /// <summary>
    /// <paramref name="prefix"/> followed by <paramref name="value"/>: the kept instance when there is one, else a new
    /// string, kept while there is room.
    /// </summary>
    internal string Of(string prefix, string value)
    {
        if (_named.TryGetValue((prefix, value), out var name))
        {
            return name;
        }

        name = prefix + value;
        // A slot is taken before the name is added, so racing misses cannot keep more than MaxKept between them; one
        // whose name another thread added first gives its slot back and hands out the kept instance.
        if (Volatile.Read(ref _kept) >= MaxKept)
        {
            return name;
        }

        if (Interlocked.Increment(ref _kept) > MaxKept)
        {
            Interlocked.Decrement(ref _kept);
            return name;
        }

        if (_named.TryAdd((prefix, value), name))
        {
            return name;
        }

        Interlocked.Decrement(ref _kept);
        return _named[(prefix, value)];
    }
}
