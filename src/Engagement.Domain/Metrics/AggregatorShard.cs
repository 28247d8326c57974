using System.Buffers;
using System.Collections.ObjectModel;
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
    // The defaults are the shared read-only empty dictionaries (nothing can change them, and not being Dictionary
    // instances Apply never takes them as a spare's), so a state made with its own dictionaries, as every commit makes
    // one per changed row, does not first allocate three empty ones its initializer then drops.
    private static readonly IReadOnlyDictionary<string, long> NoCounters = ReadOnlyDictionary<string, long>.Empty;
    private static readonly IReadOnlyDictionary<int, HashSet<ulong>> NoIds = ReadOnlyDictionary<int, HashSet<ulong>>.Empty;
    private static readonly IReadOnlyDictionary<ulong, MemberMark> NoMembers = ReadOnlyDictionary<ulong, MemberMark>.Empty;

    /// <summary>Counter name → sum of the applied contributions' deltas (counts, points or gauge members; never CNY).</summary>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = NoCounters;

    /// <summary>Net revenue, CNY.</summary>
    public decimal Revenue { get; init; }

    /// <summary>Arrival day (<see cref="DateOnly.DayNumber"/>, UTC) → hashes of the ids applied that day of contributions without a sequence.</summary>
    public IReadOnlyDictionary<int, HashSet<ulong>> Applied { get; init; } = NoIds;

    /// <summary>Hash of a member id (<see cref="Hash"/>) → the highest sequence of it applied and the UTC day that arrived (never forgotten).</summary>
    public IReadOnlyDictionary<ulong, MemberMark> Members { get; init; } = NoMembers;

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
    /// <param name="state">The row as storage holds it.</param>
    /// <param name="contributions">The contributions to apply (any order; applied in sequence order).</param>
    /// <param name="now">The instant (UTC) the commit is made: its UTC day dates the marks and ids, and expiry counts from it.</param>
    /// <param name="dedupeDays">Days an id without a sequence is kept (<see cref="MetricsOptions.DedupeDays"/>).</param>
    /// <param name="spare">
    /// Optional: an earlier result of this method that no live state holds any more (its caller replaced it with a later
    /// result once that was stored). Its counter and mark dictionaries are cleared and refilled as the new state's, so
    /// the commit copies the row without allocating it again: the copy-on-write stays (<paramref name="state"/> is
    /// untouched until its caller keeps the result), only its buffers are reused. The caller must hold no other reference
    /// to <paramref name="spare"/> or its dictionaries: a state made by <see cref="AggregatorRows.Split"/>, a decoder or
    /// <see cref="WithoutExpired"/> may share them with another and is never a spare. Ids without a sequence
    /// (<see cref="Applied"/>) are shared between states and never reused. Ignored when it shares a dictionary with
    /// <paramref name="state"/>, per dictionary (a spare whose marks are the state's may still lend its counters). The
    /// caller's store must keep no reference to a written state (see <c>IAggregatorRowStore.WriteAsync</c>'s remarks), or
    /// refilling a spare would change what the store holds.
    /// </param>
    public static (AggregatorShard State, int Applied) Apply(AggregatorShard state, IEnumerable<MetricContribution> contributions, DateTimeOffset now, int dedupeDays, AggregatorShard? spare = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(contributions);
        var today = DateOnly.FromDateTime(now.UtcDateTime).DayNumber;
        var list = contributions as IReadOnlyList<MetricContribution> ?? [.. contributions];
        // Null while the state's ids are kept as they are (shared with it, so never changed): Fresh copies them on its
        // first id without a sequence.
        var own = Unexpired(state.Applied, today - dedupeDays);
        HashSet<ulong>? todays = null;
        // Each sequenced contribution's member hash, computed once (0 for one deduplicated by id), and the application
        // order: by sequence, then by position (stable, as an OrderBy was), sorted in place without a delegate. Both
        // arrays are rented: this runs per touched row per commit, the aggregator's hot path.
        var n = list.Count;
        var hashes = ArrayPool<ulong>.Shared.Rent(n);
        var order = ArrayPool<(long Sequence, int Index)>.Shared.Rent(n);
        for (var i = 0; i < n; i++)
        {
            hashes[i] = Sequenced(list[i]) ? Hash(list[i].MemberId!) : 0;
            order[i] = (list[i].Sequence, i);
        }

        Array.Sort(order, 0, n);

        // The marks copied with room for the members new to them (no regrowth on the way: the copy is per row per commit,
        // the hot path; the room is what stays resident). The counters are copied at their size: new names are rare once
        // a row has seen a few commits, and counting them ahead over-counts (a name in several contributions). Both into
        // the spare's dictionaries when there is one.
        var room = NewMembers(state.Members, list, hashes.AsSpan(0, n));
        var members = spare?.Members is Dictionary<ulong, MemberMark> spareMembers && !ReferenceEquals(spareMembers, state.Members)
            ? Refill(spareMembers, state.Members, room)
            : CopyWithRoom(state.Members, room);
        var counters = spare?.Counters is Dictionary<string, long> spareCounters && !ReferenceEquals(spareCounters, state.Counters)
            && ReferenceEquals(spareCounters.Comparer, StringComparer.Ordinal)
            ? Refill(spareCounters, state.Counters, 0)
            : new Dictionary<string, long>(state.Counters, StringComparer.Ordinal);
        var revenue = state.Revenue;
        var count = 0;
        var duplicates = 0;
        for (var k = 0; k < n; k++)
        {
            var i = order[k].Index;
            var c = list[i];
            if (!Fresh(c, hashes[i], today, state.Applied, ref own, ref todays, members))
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

        ArrayPool<ulong>.Shared.Return(hashes);
        ArrayPool<(long Sequence, int Index)>.Shared.Return(order);

        var next = new AggregatorShard
        {
            Counters = counters,
            Revenue = revenue,
            Applied = own ?? state.Applied,
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

    /// <summary>
    /// True (and remembered) when <paramref name="c"/> (its member's hash <paramref name="member"/> when sequenced) was
    /// not applied before. Ids without a sequence are looked up in <paramref name="own"/> when this call has its copy,
    /// else in <paramref name="shared"/> (the state's, never changed), and added to <paramref name="own"/>, made here on
    /// the first such id.
    /// </summary>
    private static bool Fresh(MetricContribution c, ulong member, int today, IReadOnlyDictionary<int, HashSet<ulong>> shared, ref Dictionary<int, HashSet<ulong>>? own, ref HashSet<ulong>? todays, Dictionary<ulong, MemberMark> members)
    {
        if (Sequenced(c))
        {
            if (members.TryGetValue(member, out var mark) && mark.Sequence >= c.Sequence)
            {
                return false;
            }

            members[member] = new MemberMark(c.Sequence, today);
            return true;
        }

        var hash = Hash(c.Id);
        foreach (var set in (own ?? shared).Values)
        {
            if (set.Contains(hash))
            {
                return false;
            }
        }

        if (todays is null)
        {
            // Copy on write: the sets and the dictionary of the state passed in stay as they were.
            own ??= Copy(shared, int.MinValue);
            todays = own.TryGetValue(today, out var old) ? [.. old] : [];
            own[today] = todays;
        }

        todays.Add(hash);
        return true;
    }

    /// <summary>Whether <paramref name="c"/> is deduplicated by its member's sequence (else by its id).</summary>
    private static bool Sequenced(MetricContribution c) => c.Sequence > 0 && c.MemberId is not null;

    /// <summary>
    /// Null when no day of <paramref name="applied"/> is at or before <paramref name="horizon"/> (the next state keeps
    /// it as it is: a state's dictionary is never changed once a state holds it, so two states may share it), else this
    /// call's own copy without those days, which <see cref="Fresh"/> adds to.
    /// </summary>
    private static Dictionary<int, HashSet<ulong>>? Unexpired(IReadOnlyDictionary<int, HashSet<ulong>> applied, int horizon)
    {
        foreach (var day in applied.Keys)
        {
            if (day <= horizon)
            {
                return Copy(applied, horizon);
            }
        }

        return null;
    }

    /// <summary>A new dictionary of <paramref name="applied"/>'s days after <paramref name="horizon"/> (the sets shared, never changed), with room for today's.</summary>
    private static Dictionary<int, HashSet<ulong>> Copy(IReadOnlyDictionary<int, HashSet<ulong>> applied, int horizon)
    {
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

    /// <summary>
    /// How many distinct members of <paramref name="list"/> (their hashes in <paramref name="hashes"/>, 0 when deduplicated
    /// by id) <paramref name="members"/> has no mark of: the room the marks need, which stays resident.
    /// </summary>
    private static int NewMembers(IReadOnlyDictionary<ulong, MemberMark> members, IReadOnlyList<MetricContribution> list, ReadOnlySpan<ulong> hashes)
    {
        List<ulong>? fresh = null;
        for (var i = 0; i < hashes.Length; i++)
        {
            if (Sequenced(list[i]) && !members.ContainsKey(hashes[i]))
            {
                (fresh ??= new List<ulong>(hashes.Length - i)).Add(hashes[i]);
            }
        }

        if (fresh is null)
        {
            return 0;
        }

        fresh.Sort();
        var count = 1;
        for (var i = 1; i < fresh.Count; i++)
        {
            count += fresh[i] != fresh[i - 1] ? 1 : 0;
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

    /// <summary>
    /// <paramref name="target"/> emptied and refilled with <paramref name="source"/> in its order, with room for
    /// <paramref name="room"/> more (cleared, a dictionary keeps its arrays, and it enumerates in insertion order again,
    /// so the stored row is the same as from a new copy). Allocates only when it must grow.
    /// </summary>
    private static Dictionary<TKey, TValue> Refill<TKey, TValue>(Dictionary<TKey, TValue> target, IReadOnlyDictionary<TKey, TValue> source, int room)
        where TKey : notnull
    {
        target.Clear();
        target.EnsureCapacity(source.Count + room);
        if (source is Dictionary<TKey, TValue> dictionary)
        {
            foreach (var (key, value) in dictionary)
            {
                target.Add(key, value);
            }
        }
        else
        {
            foreach (var (key, value) in source)
            {
                target.Add(key, value);
            }
        }

        return target;
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
