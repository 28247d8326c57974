using System.Text;

namespace Engagement.Domain.Metrics;

/// <summary>
/// What one aggregator (region × local day × shard, or region × shard of gauges) holds: counter sums and what it needs
/// to apply each contribution once: per contributing member, the highest outcome sequence applied (<see cref="Members"/>:
/// one entry per member, however many events it had that day), kept for as long as the aggregator exists; and for
/// contributions without a sequence (made before sequences existed) the hashes of their ids (<see cref="Applied"/>),
/// kept <see cref="MetricsOptions.DedupeDays"/> days after they arrived.
/// </summary>
/// <remarks>
/// Member marks never expire because a member's confirmed contributions leave its stored outbox only at its next state
/// write: a silo that crashes after the aggregator confirmed but before that write leaves them there, and the member
/// sends them again at its next activation, which may be a lifecycle reminder a month later. An aggregator that had
/// forgotten the member would count its activity, revenue and gauge moves a second time, for good. What this costs is
/// bounded by the members an aggregator sees (20 bytes a mark in storage): the members active on one region-day in one
/// shard, or every member of a region in one gauge shard. The table store holds ~36,000 marks per row, 64 rows per
/// aggregator (~2.3 million members, ~18 million per region at the default 8 shards); past it the aggregator's write is
/// refused and its contributions stay in the members' outboxes (counted late, never twice), logged at Error.
/// </remarks>
public sealed record AggregatorShard
{
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Net revenue, CNY.</summary>
    public decimal Revenue { get; init; }

    /// <summary>Arrival day (<see cref="DateOnly.DayNumber"/>, UTC) → hashes of the ids applied that day of contributions without a sequence.</summary>
    public IReadOnlyDictionary<int, HashSet<ulong>> Applied { get; init; } = new Dictionary<int, HashSet<ulong>>();

    /// <summary>Hash of a member id (<see cref="Hash"/>) → the highest sequence of it applied and the UTC day that arrived (never forgotten).</summary>
    public IReadOnlyDictionary<ulong, MemberMark> Members { get; init; } = new Dictionary<ulong, MemberMark>();

    /// <summary>Contributions applied since the grain was created.</summary>
    public long AppliedCount { get; init; }

    /// <summary>Repeats ignored since the grain was created.</summary>
    public long DuplicateCount { get; init; }

    /// <summary>
    /// Applies each contribution not applied before — by its member's sequence (a member's contributions in one call
    /// are taken in sequence order; one at or below the member's mark is a repeat, however long after), or by id when it
    /// has none — and forgets ids without a sequence that arrived <paramref name="dedupeDays"/> days or more before
    /// <paramref name="now"/>. Returns the new state and how many applied; <paramref name="state"/> is not changed.
    /// </summary>
    public static (AggregatorShard State, int Applied) Apply(AggregatorShard state, IEnumerable<MetricContribution> contributions, DateTimeOffset now, int dedupeDays)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(contributions);
        var today = DateOnly.FromDateTime(now.UtcDateTime).DayNumber;
        var list = contributions as IReadOnlyList<MetricContribution> ?? [.. contributions];
        var applied = Unexpired(state.Applied, today - dedupeDays, list);
        HashSet<ulong>? todays = null;
        // The marks copied with room for the members new to them (no regrowth on the way: the copy is per row per commit,
        // the hot path). The counters are copied at their size: new names are rare once a row has seen a few commits,
        // and counting them ahead over-counts (a name in several contributions), which made larger arrays, not smaller.
        var members = CopyWithRoom(state.Members, NewMembers(state.Members, list));
        var counters = new Dictionary<string, long>(state.Counters, StringComparer.Ordinal);
        var revenue = state.Revenue;
        var count = 0;
        var duplicates = 0;
        foreach (var c in list.OrderBy(static c => c.Sequence))
        {
            if (!Fresh(c, today, applied, ref todays, members))
            {
                duplicates++;
                continue;
            }

            if (c.Counters is CounterMap map)
            {
                foreach (var (name, delta) in map.Entries)
                {
                    counters[name] = counters.GetValueOrDefault(name) + delta;
                }
            }
            else
            {
                foreach (var (name, delta) in c.Counters)
                {
                    counters[name] = counters.GetValueOrDefault(name) + delta;
                }
            }

            revenue += c.Revenue;
            count++;
        }

        var next = new AggregatorShard
        {
            Counters = counters,
            Revenue = revenue,
            Applied = applied,
            Members = members,
            AppliedCount = state.AppliedCount + count,
            DuplicateCount = state.DuplicateCount + duplicates,
        };
        return (next, count);
    }

    /// <summary>
    /// This state without the ids that <see cref="Apply"/> at <paramref name="now"/> would forget (contributions without a
    /// sequence that arrived <paramref name="dedupeDays"/> days or more before; member marks are kept): the same answers
    /// to every later <see cref="Apply"/>, less memory for an aggregator of a past day that is only read.
    /// </summary>
    public AggregatorShard WithoutExpired(DateTimeOffset now, int dedupeDays)
    {
        var horizon = DateOnly.FromDateTime(now.UtcDateTime).DayNumber - dedupeDays;
        return Applied.Keys.All(d => d > horizon)
            ? this
            : this with { Applied = Applied.Where(kv => kv.Key > horizon).ToDictionary(kv => kv.Key, kv => kv.Value) };
    }

    /// <summary>True (and remembered) when <paramref name="c"/> was not applied before.</summary>
    private static bool Fresh(MetricContribution c, int today, IReadOnlyDictionary<int, HashSet<ulong>> applied, ref HashSet<ulong>? todays, Dictionary<ulong, MemberMark> members)
    {
        if (Sequenced(c))
        {
            var member = Hash(c.MemberId!);
            if (members.TryGetValue(member, out var mark) && mark.Sequence >= c.Sequence)
            {
                return false;
            }

            members[member] = new MemberMark(c.Sequence, today);
            return true;
        }

        var hash = Hash(c.Id);
        foreach (var set in applied.Values)
        {
            if (set.Contains(hash))
            {
                return false;
            }
        }

        if (todays is null)
        {
            // Copy on write: the sets of the state passed in stay as they were, and the dictionary is this call's own copy
            // (Unexpired copies it whenever the contributions hold one without a sequence).
            var own = (Dictionary<int, HashSet<ulong>>)applied;
            todays = own.TryGetValue(today, out var old) ? [.. old] : [];
            own[today] = todays;
        }

        todays.Add(hash);
        return true;
    }

    /// <summary>Whether <paramref name="c"/> is deduplicated by its member's sequence (else by its id).</summary>
    private static bool Sequenced(MetricContribution c) => c.Sequence > 0 && c.MemberId is not null;

    /// <summary>
    /// The next state's ids without a sequence: <paramref name="applied"/> itself when no day of it is at or before
    /// <paramref name="horizon"/> and no contribution can add to it (a state's dictionary is never changed once a state
    /// holds it, so two states may share it), else a copy without those days, which <see cref="Fresh"/> adds to.
    /// </summary>
    private static IReadOnlyDictionary<int, HashSet<ulong>> Unexpired(IReadOnlyDictionary<int, HashSet<ulong>> applied, int horizon, IReadOnlyList<MetricContribution> list)
    {
        var share = true;
        if (applied.Count > 0)
        {
            foreach (var day in applied.Keys)
            {
                share &= day > horizon;
            }
        }

        for (var i = 0; share && i < list.Count; i++)
        {
            share = Sequenced(list[i]);
        }

        if (share)
        {
            return applied;
        }

        var copy = new Dictionary<int, HashSet<ulong>>(applied.Count + 1);
        foreach (var (day, ids) in applied)
        {
            if (day > horizon)
            {
                copy[day] = ids;
            }
        }

        return copy;
    }

    /// <summary>How many of <paramref name="list"/>'s members <paramref name="members"/> has no mark of (a member twice counts twice: an upper bound).</summary>
    private static int NewMembers(IReadOnlyDictionary<ulong, MemberMark> members, IReadOnlyList<MetricContribution> list)
    {
        var count = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (Sequenced(list[i]) && !members.ContainsKey(Hash(list[i].MemberId!)))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// A copy of <paramref name="source"/> in its order with room for <paramref name="room"/> more entries, so adding
    /// them does not grow it (growing allocates the entries and buckets again, and the copy is made per row per commit).
    /// </summary>
    private static Dictionary<TKey, TValue> CopyWithRoom<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> source, int room)
        where TKey : notnull
    {
        if (source is not Dictionary<TKey, TValue> dictionary)
        {
            var copy = new Dictionary<TKey, TValue>(source.Count + room);
            foreach (var (key, value) in source)
            {
                copy.Add(key, value);
            }

            return copy;
        }

        if (room == 0)
        {
            return new Dictionary<TKey, TValue>(dictionary);
        }

        var roomy = new Dictionary<TKey, TValue>(dictionary.Count + room);
        foreach (var (key, value) in dictionary)
        {
            roomy.Add(key, value);
        }

        return roomy;
    }

    /// <summary>FNV-1a 64-bit of the id's UTF-8 bytes (collisions among a shard's few thousand ids: ~10⁻¹²).</summary>
    public static ulong Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hash = 14695981039346656037UL;
        var most = Encoding.UTF8.GetMaxByteCount(id.Length);
        Span<byte> utf8 = most <= 512 ? stackalloc byte[most] : new byte[most];
        foreach (var b in utf8[..Encoding.UTF8.GetBytes(id, utf8)])
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }

        return hash;
    }
}

/// <summary>The highest outcome sequence of one member an aggregator applied, and the UTC day (<see cref="DateOnly.DayNumber"/>) it arrived.</summary>
public readonly record struct MemberMark(long Sequence, int Day);
