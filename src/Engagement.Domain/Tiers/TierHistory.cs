using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

/// <summary>
/// The member's growth as a timeline sorted by <see cref="EventKey"/>, answering "which tier did the member hold
/// just before this purchase" as of its <c>occurredAt</c> (CONTRACT.md §1.1, §2) whatever order events arrived in.
/// </summary>
/// <remarks>
/// <para>Semantics of the tier held at an instant <c>t</c>, used for the points multiplier:</para>
/// <list type="bullet">
/// <item>Growth as of an instant <c>s</c> is the growth of events before <c>s</c> (purchases, capped behaviours) on
/// the member-local days of the <see cref="ProgramOptions.GrowthWindowDays"/>-day window ending on the local day of
/// <c>s</c>, net of the refunds that occurred by <c>t</c> (at the same instant included). Such a refund takes its
/// growth away from every instant before it too (a refund drops the tier at once, with no grace); a refund that
/// occurred after <c>t</c> does not change what the purchase at <c>t</c> earned.</item>
/// <item>Upgrades take effect at once: a tier is held from the instant growth reaches its threshold.</item>
/// <item>Grace: a tier reached at some instant in the last <see cref="ProgramOptions.TierGraceDays"/> days before
/// <c>t</c> is still held; one reached k graces earlier (but not since) is held k levels lower. This is the
/// "keep the tier through a 30-day grace, then drop one level at a time" rule measured from the instant growth
/// actually fell, not from the tick that noticed it, so the live tier may drop up to one tick later than this.</item>
/// <item>Growth older than <see cref="GrowthPolicy.CapDaysKept"/> days from behaviours, and of orders no longer
/// retained in full, is known per local day only; it counts from the start of its day. A purchase being priced first
/// brings back in full the summarised purchases after it, so none of them counts early for it, except one whose points lot
/// has expired: that stays summarised and counts from the start of its day, which can change the price only of a purchase
/// whose own lot had expired on arrival (earlier the same day, so expiring no later). A summarised order's refunds
/// still count from when they occurred (<see cref="OrderSummary.RefundMarks"/>); those of an order forgotten at the end
/// of its retention (<see cref="ProgramOptions.OrderRetentionDays"/>) count from its purchase on.</item>
/// </list>
/// </remarks>
public sealed partial class GrowthTimeline
{
    // Cleared and filled again by Fill: a timeline lent out by Rent is reused for each purchase it prices, to save its list.
    private readonly List<Entry> _entries;

    // Set by Fill, not readonly, for the same reason.
    private long[] _prefix = [];
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private int _windowDays;
    private long[] _thresholds = [];
    private string[] _ladder = [];
    private TimeSpan _grace;
    private MemberState _state = null!;
    private ProgramOptions _options = null!;
    private DateTimeOffset? _refundsBy;

    /// <summary>The one timeline per thread <see cref="Rent"/> lends; null while it is out.</summary>
    [ThreadStatic]
    private static GrowthTimeline? t_lent;

    private GrowthTimeline(int capacity) => _entries = new List<Entry>(capacity);

    /// <summary>
    /// Builds the timeline from the retained orders (net of the refunds that occurred by <paramref name="refundsBy"/>,
    /// all refunds when null), the recent behaviour records and the day buckets (with <paramref name="refundsBy"/>, the
    /// growth of summarised orders' refunds that occurred after it back in their buckets:
    /// <see cref="OrderSummary.RefundMarks"/>).
    /// </summary>
    public static GrowthTimeline Build(MemberState state, ProgramOptions options, DateTimeOffset? refundsBy = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var timeline = new GrowthTimeline(state.Orders.Count + state.BehaviourRecords.Count + state.GrowthByDay.Count);
        timeline.Fill(state, options, refundsBy);
        return timeline;
    }

    /// <summary>
    /// As <see cref="Build"/>, in this thread's reusable timeline (its entry list and prefix sums kept from the last
    /// use): for a caller that reads it and hands it back with <see cref="Return"/> before anything else can see it
    /// (pricing one purchase). A second rent before the return gets a timeline of its own.
    /// </summary>
    internal static GrowthTimeline Rent(MemberState state, ProgramOptions options, DateTimeOffset? refundsBy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var timeline = t_lent ?? new GrowthTimeline(state.Orders.Count + state.BehaviourRecords.Count + state.GrowthByDay.Count);
        t_lent = null;
        timeline.Fill(state, options, refundsBy);
        return timeline;
    }

    /// <summary>Takes back a timeline from <see cref="Rent"/>; it keeps no reference to the member.</summary>
    internal static void Return(GrowthTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        timeline._entries.Clear();
        timeline._state = null!;
        timeline._options = null!;
        t_lent = timeline;
    }

    private void Fill(MemberState state, ProgramOptions options, DateTimeOffset? refundsBy)
    {
        var zone = GrowthPolicy.Zone(state, options);
        var entries = _entries;
        entries.Clear();
        foreach (var order in state.Orders)
        {
            var growth = refundsBy is { } by ? order.NetGrowthBy(by) : order.NetGrowth;
            if (growth != 0)
            {
                entries.Add(new Entry(OrderKey(order), MemberTimeZones.LocalDate(order.At, zone), growth));
            }
        }

        foreach (var record in state.BehaviourRecords)
        {
            entries.Add(new Entry(record.Key, MemberTimeZones.LocalDate(record.At, zone), record.Growth));
        }

        // A summarised order's growth sits in its day bucket net of all its refunds: those that occurred after refundsBy
        // give theirs back there, in the same entry, so the bucket counts as the order would in full.
        var refundedLater = refundsBy is { } asOf ? RefundedAfter(state, zone, asOf) : null;
        foreach (var (day, growth) in state.GrowthByDay)
        {
            var total = growth + (refundedLater is not null && refundedLater.Remove(day, out var back) ? back : 0);
            if (total != 0)
            {
                entries.Add(new Entry(new EventKey(MemberTimeZones.StartOfDay(day, zone), ""), day, total));
            }
        }

        if (refundedLater is not null) // usually null: no empty dictionary made for it (`refundedLater ?? []` made one per fill)
        {
            foreach (var (day, back) in refundedLater)
            {
                entries.Add(new Entry(new EventKey(MemberTimeZones.StartOfDay(day, zone), ""), day, back)); // refunded in full: no bucket
            }
        }

        entries.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        _refundsBy = refundsBy;
        _state = state;
        _options = options;
        _zone = zone;
        _windowDays = options.GrowthWindowDays;
        (_ladder, _thresholds) = TierPolicy.LadderWithThresholds(options);
        _grace = TimeSpan.FromDays(options.TierGraceDays);
        if (_prefix.Length < entries.Count + 1)
        {
            _prefix = new long[entries.Count + 1];
        }

        // Only [0, Count] is ever read; a longer array kept from an earlier use is fine.
        _prefix[0] = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            _prefix[i + 1] = _prefix[i] + entries[i].Growth;
        }
    }

    /// <summary>
    /// Growth the summarised orders' refunds that occurred after <paramref name="asOf"/> took from their day buckets, by
    /// member-local day (only days with some); null when none (the usual member, and every in-order purchase: its refunds
    /// all occurred before it). Only a summary with a mark later than <paramref name="asOf"/> (UTC ticks compared) is
    /// priced in decimals; the others give nothing back.
    /// </summary>
    private static Dictionary<DateOnly, long>? RefundedAfter(MemberState state, TimeZoneInfo zone, DateTimeOffset asOf)
    {
        var asOfTicks = asOf.UtcTicks;
        Dictionary<DateOnly, long>? byDay = null;
        foreach (var summary in state.OrderSummaries)
        {
            if (!HasMarkAfter(summary.RefundMarks, asOfTicks))
            {
                continue;
            }

            var back = summary.NetGrowthBy(asOf) - summary.NetGrowth;
            if (back != 0)
            {
                var day = MemberTimeZones.LocalDate(summary.At, zone);
                byDay ??= [];
                byDay[day] = byDay.GetValueOrDefault(day) + back;
            }
        }

        return byDay;
    }

    /// <summary>True when some of <paramref name="marks"/> occurred after the UTC instant <paramref name="ticks"/>.</summary>
    private static bool HasMarkAfter(List<RefundMark>? marks, long ticks)
    {
        if (marks is null)
        {
            return false;
        }

        foreach (var mark in marks)
        {
            if (mark.At.UtcTicks > ticks)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The key a purchase sorts by: its occurredAt, then its orderId.</summary>
    public static EventKey OrderKey(OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new EventKey(order.At, order.OrderId);
    }

    /// <summary>
    /// Growth in the window ending on the member-local <paramref name="day"/>, that whole day included (as
    /// <c>GrowthPolicy.TrailingGrowth</c> sums it for a past instant), net of the refunds this timeline counts.
    /// </summary>
    internal long GrowthThrough(DateOnly day) => Sum(FirstOnOrAfter(day.AddDays(1)), day);

    /// <summary>Trailing growth from the events before <paramref name="key"/>, in the window ending on its local day.</summary>
    public long GrowthBefore(EventKey key) => Sum(CountBefore(key), MemberTimeZones.LocalDate(key.At, _zone));

    /// <summary>
    /// The instant (event time) from which the member holds, without a break, the tier of <paramref name="threshold"/>
    /// (growth points, a tier's threshold) it reached with the events at or after <paramref name="from"/>: the first event
    /// from there with which trailing growth reached the threshold, unless the tier was lost again in event time since, in
    /// which case the latest event that reached it again after such a loss. Null when no event from there reached it.
    /// </summary>
    /// <remarks>
    /// CONTRACT.md §2: growth that ages out keeps the tier through the grace (<see cref="ProgramOptions.TierGraceDays"/>),
    /// then drops it one level at a time. So a dip below the threshold that a later event ends within the grace loses
    /// nothing (the first crossing stands), while one that outlasted it dropped the tier, and the member holds it only
    /// since the crossing after the drop. Whether the tier was still held just before a crossing is read as
    /// <see cref="TierHeldBefore"/> reads it (a tier reached k graces before still held k levels lower), on the growth net
    /// of the refunds made by the crossing's instant (a refund takes its growth from every instant before it: no grace for
    /// it; one made after the crossing does not make the tier look lost before it). Crossings themselves are found on the
    /// growth net of the refunds made by its instant too (a refund made after it does not move it later), and a refund that
    /// in order took the tier (<see cref="TierHeldBefore"/> just after it fell below) ends the hold, so only a crossing after
    /// it counts. Tiers reached before <paramref name="from"/> are not looked at: the caller's event is what lifted the member.
    /// </remarks>
    public DateTimeOffset? ReachedAt(long threshold, EventKey from) => Reached(threshold, from, added: null);

    /// <summary>
    /// As <see cref="ReachedAt"/>, counting only the events at or after <paramref name="from"/> with which trailing growth
    /// reached <paramref name="threshold"/> only thanks to the <paramref name="added"/> growth of the event at
    /// <paramref name="from"/> (without it, that window fell short): when a late event lifted the member to a tier in order.
    /// The first such event, or the latest one that reached the tier again after it was lost through a full grace
    /// (CONTRACT.md §2). Null when none did.
    /// </summary>
    /// <remarks>
    /// Crossings the late growth did not need are skipped before the loss check, so such a crossing cannot mark a break
    /// (a loss and the reach again that it ended). That can only matter when the engine recorded a grace drop the late
    /// event undoes; <c>TierPolicy.UndoGraceDrops</c> handles that case before this is asked, from the grace drops saved in
    /// <c>MemberState.TierGraceDrop</c>.
    /// </remarks>
    public DateTimeOffset? ReachedWith(long threshold, EventKey from, long added) => Reached(threshold, from, added);

    /// <summary>The tier held just before the event at <paramref name="key"/> (see the remarks of this type).</summary>
    public string TierHeldBefore(EventKey key) => _ladder[RankHeldBefore(CountBefore(key), key.At)];

    /// <summary>
    /// The ladder rank (0 = lowest) held at <paramref name="at"/> counting the first <paramref name="before"/> entries only:
    /// the tier held just before the entry at that index (<see cref="TierHeldBefore"/>).
    /// </summary>
    private int RankHeldBefore(int before, DateTimeOffset at)
    {
        var rank = RankFor(Sum(before, MemberTimeZones.LocalDate(at, _zone)));
        if (_grace <= TimeSpan.Zero)
        {
            return rank;
        }

        for (var k = 0; k < _ladder.Length && rank < _ladder.Length - 1; k++)
        {
            var end = at - (_grace * k);
            var start = end - _grace;
            var firstInside = CountAtOrBefore(start);
            var lastInside = k == 0 ? before : CountAtOrBefore(end);
            var peak = Sum(firstInside, MemberTimeZones.LocalDate(start, _zone));
            for (var i = firstInside; i < lastInside; i++)
            {
                peak = Math.Max(peak, Sum(i + 1, _entries[i].Day));
            }

            rank = Math.Max(rank, RankFor(peak) - k);
        }

        return rank;
    }

    private int RankFor(long growth)
    {
        var rank = 0;
        for (var i = 0; i < _thresholds.Length; i++)
        {
            if (growth >= _thresholds[i])
            {
                rank = i;
            }
        }

        return rank;
    }

    /// <summary>Growth of entries [0, count) whose day lies in the window ending on <paramref name="day"/>.</summary>
    private long Sum(int count, DateOnly day)
    {
        var first = FirstOnOrAfter(day.AddDays(-(_windowDays - 1)));
        return count > first ? _prefix[count] - _prefix[first] : 0;
    }

    private int CountBefore(EventKey key) => Search(new KeyBefore(key));

    private int CountAtOrBefore(DateTimeOffset at) => Search(new AtOrBefore(at.UtcTicks));

    private int FirstOnOrAfter(DateOnly day) => Search(new DayBefore(day));

    /// <summary>
    /// The number of leading entries for which <paramref name="test"/> holds (it must be monotone over the sorted
    /// entries). The test is a struct, not a lambda: a capturing lambda allocated a closure per call, and
    /// <see cref="TierHeldBefore"/> makes dozens of calls per purchase.
    /// </summary>
    private int Search<TTest>(TTest test)
        where TTest : struct, IEntryTest
    {
        int lo = 0, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (test.IsBefore(_entries[mid]))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private interface IEntryTest
    {
        bool IsBefore(in Entry entry);
    }

    private readonly struct KeyBefore(EventKey key) : IEntryTest
    {
        public bool IsBefore(in Entry entry) => entry.Key.CompareTo(key) < 0;
    }

    private readonly struct AtOrBefore(long utcTicks) : IEntryTest
    {
        public bool IsBefore(in Entry entry) => entry.Key.At.UtcTicks <= utcTicks;
    }

    private readonly struct DayBefore(DateOnly day) : IEntryTest
    {
        public bool IsBefore(in Entry entry) => entry.Day < day;
    }

    private readonly record struct Entry(EventKey Key, DateOnly Day, long Growth);
}
