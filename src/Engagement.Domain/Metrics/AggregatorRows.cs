namespace Engagement.Domain.Metrics;

/// <summary>
/// An aggregator's state split into <see cref="Count"/> rows by member, each row an <see cref="AggregatorShard"/> of its
/// own: the counter sums of the contributions it applied and the marks that keep them from applying twice. A row is
/// self-contained — its sums and its marks change together, in one write — so a commit writes only the rows its
/// contributions touch (cost proportional to the change, not to the members the aggregator has seen), and any row read
/// at any moment (a restart, a backup taken under load) is consistent on its own. The aggregator's sums are the sum of
/// its rows.
/// </summary>
/// <remarks>
/// Why rows: with one state per aggregator, every commit rewrote every member mark of the region-day shard (thousands
/// on a busy day, ~100 KB of JSON per commit at 20,000 members), and a busy enough day would pass the storage's entity
/// bound. The row of a member is fixed by its id (<see cref="RowOf"/>): changing <see cref="Count"/> would move members
/// between rows and lose their marks, so it is a constant of the storage format, not a setting.
/// </remarks>
public static class AggregatorRows
{
    /// <summary>Rows per aggregator (row numbers 0–63). Part of the stored format: never change it on existing data.</summary>
    public const int Count = 64;

    /// <summary>
    /// The row of a contribution: by its member (every contribution of a member to an aggregator lands in one row, next
    /// to the member's mark), or by its id when it has no sequence (deduplicated by id in that row).
    /// </summary>
    public static int RowOf(MetricContribution contribution)
    {
        ArgumentNullException.ThrowIfNull(contribution);
        return RowOfHash(AggregatorShard.Hash(KeyOf(contribution)));
    }

    /// <summary>The row of a member-id or contribution-id hash (<see cref="AggregatorShard.Hash"/>): its top bits, so the row does not follow the shard (a modulo of another hash of the id).</summary>
    public static int RowOfHash(ulong hash) => (int)((hash >> 40) % Count);

    /// <summary>
    /// Applies <paramref name="contributions"/> to the rows they belong to (<paramref name="rows"/>: row number → what
    /// storage holds; a missing row is empty). Returns only the rows that changed (applied something, or forgot ids
    /// without a sequence past <paramref name="dedupeDays"/>; member marks are never forgotten) and how many contributions applied; <paramref name="rows"/> is not changed.
    /// </summary>
    /// <param name="rows">Row number → what storage holds.</param>
    /// <param name="contributions">The contributions to apply.</param>
    /// <param name="now">The commit's instant (UTC).</param>
    /// <param name="dedupeDays">Days an id without a sequence is kept.</param>
    /// <param name="spares">
    /// Optional: row number → a state of that row the caller no longer holds, whose buffers the row's new state reuses
    /// (<see cref="AggregatorShard.Apply"/>'s <c>spare</c>, with its conditions). A spare is used even when its row turns
    /// out unchanged (its buffers then hold a state nobody keeps): so it must never be a state in <paramref name="rows"/>.
    /// </param>
    public static (IReadOnlyDictionary<int, AggregatorShard> Changed, int Applied) Apply(
        IReadOnlyDictionary<int, AggregatorShard> rows, IEnumerable<MetricContribution> contributions, DateTimeOffset now, int dedupeDays,
        IReadOnlyDictionary<int, AggregatorShard>? spares = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(contributions);
        var byRow = new Dictionary<int, List<MetricContribution>>();
        foreach (var contribution in contributions)
        {
            var row = RowOf(contribution);
            if (!byRow.TryGetValue(row, out var list))
            {
                byRow[row] = list = [];
            }

            list.Add(contribution);
        }

        var changed = new Dictionary<int, AggregatorShard>();
        var applied = 0;
        foreach (var (row, list) in byRow)
        {
            var before = rows.GetValueOrDefault(row) ?? Empty;
            var (next, count) = AggregatorShard.Apply(before, list, now, dedupeDays, spares?.GetValueOrDefault(row));
            applied += count;
            if (count > 0 || next.Applied.Count != before.Applied.Count)
            {
                changed[row] = next;
            }
        }

        return (changed, applied);
    }

    /// <summary>
    /// Splits a whole-aggregator state (as stored before rows) into rows: each mark and id to its row, the sums and
    /// counts to row 0. The rows sum to <paramref name="whole"/> and deduplicate exactly as it did.
    /// </summary>
    public static IReadOnlyDictionary<int, AggregatorShard> Split(AggregatorShard whole)
    {
        ArgumentNullException.ThrowIfNull(whole);
        var members = new Dictionary<int, Dictionary<ulong, MemberMark>>();
        foreach (var (member, mark) in whole.Members)
        {
            var row = RowOfHash(member);
            if (!members.TryGetValue(row, out var marks))
            {
                members[row] = marks = [];
            }

            marks[member] = mark;
        }

        var applied = new Dictionary<int, Dictionary<int, HashSet<ulong>>>();
        foreach (var (day, ids) in whole.Applied)
        {
            foreach (var id in ids)
            {
                var row = RowOfHash(id);
                if (!applied.TryGetValue(row, out var days))
                {
                    applied[row] = days = [];
                }

                if (!days.TryGetValue(day, out var set))
                {
                    days[day] = set = [];
                }

                set.Add(id);
            }
        }

        var result = new Dictionary<int, AggregatorShard>();
        foreach (var row in members.Keys.Concat(applied.Keys).Append(0).Distinct())
        {
            result[row] = new AggregatorShard
            {
                Counters = row == 0 ? whole.Counters : Empty.Counters,
                Revenue = row == 0 ? whole.Revenue : 0m,
                AppliedCount = row == 0 ? whole.AppliedCount : 0,
                DuplicateCount = row == 0 ? whole.DuplicateCount : 0,
                Members = members.GetValueOrDefault(row) ?? [],
                Applied = applied.GetValueOrDefault(row) ?? [],
            };
        }

        return result;
    }

    /// <summary>The sums of <paramref name="rows"/>: counters and net revenue, CNY.</summary>
    public static DayCounters Sum(IEnumerable<AggregatorShard> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        // As DayCounters.Sum, without a DayCounters per row (the grain sums its rows on every commit).
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        var revenue = 0m;
        foreach (var row in rows)
        {
            revenue += row.Revenue;
            DayCounters.AddTo(counters, row.Counters);
        }

        return new DayCounters { Counters = counters, Revenue = revenue };
    }

    private static readonly AggregatorShard Empty = new();

    private static string KeyOf(MetricContribution c) => c.Sequence > 0 && c.MemberId is not null ? c.MemberId : c.Id;
}
