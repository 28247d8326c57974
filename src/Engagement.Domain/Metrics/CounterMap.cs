using System.Collections;

namespace Engagement.Domain.Metrics;

/// <summary>
/// A contribution's counters as <see cref="ContributionSink"/> builds them (<see cref="MetricContribution.Counters"/>):
/// counter name → signed delta (counts, points or gauge members; never CNY), in ordinal name order, no zero entries,
/// read-only. One array of pairs: a contribution is made per target on every contributing outcome, and for its usual
/// one to five counters a <see cref="Dictionary{TKey, TValue}"/> took about twice the bytes (its buckets, entries and
/// comparer). It enumerates, serializes and reads like the dictionary it replaces, in the same order, so the stored
/// JSON (CONTRACT.md §5) is the same; read back from JSON it is a plain dictionary.
/// </summary>
internal sealed class CounterMap : IReadOnlyDictionary<string, long>
{
    private readonly KeyValuePair<string, long>[] _entries;

    /// <summary>Takes <paramref name="entries"/> as they are (not copied): names distinct and in ordinal order, the caller's promise.</summary>
    public CounterMap(KeyValuePair<string, long>[] entries) => _entries = entries;

    /// <summary>The pairs in ordinal name order, without an enumerator.</summary>
    public ReadOnlySpan<KeyValuePair<string, long>> Entries => _entries;

    public int Count => _entries.Length;

    public IEnumerable<string> Keys => _entries.Select(static e => e.Key);

    public IEnumerable<long> Values => _entries.Select(static e => e.Value);

    /// <exception cref="KeyNotFoundException">No counter is named <paramref name="key"/>.</exception>
    public long this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No counter '{key}' in this contribution.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out long value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? _entries[at].Value : 0;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, long>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <summary>Binary search of the ordered names; −1 when absent.</summary>
    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var order = string.CompareOrdinal(_entries[mid].Key, key);
            if (order == 0)
            {
                return mid;
            }

            if (order < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }
}
