using Engagement.Domain.Members;

namespace Engagement.Domain.Growth;

/// <summary>
/// The member's trailing growth (<see cref="GrowthPolicy.TrailingGrowth(MemberState, Program.ProgramOptions, DateTimeOffset)"/>)
/// kept as a running total, so the rules that read it several times per event do not sum every retained order,
/// behaviour record and day bucket each time (member-local dates cost a time zone conversion each).
/// </summary>
/// <remarks>
/// <para>The total is the growth of every source whose member-local day is on or after <see cref="First"/>, the first
/// day of the window; it is exact for the window it was taken for and is recomputed from the sources when the window
/// moves (a new local day), when the member's time zone or the window length changes, or when the sources changed in a
/// way it was not told about — it remembers which lists it summed and how many items each held, so an order, record or
/// bucket added or removed behind its back only costs a recount. Changes of a value in place (a refund, a displaced
/// behaviour, an adjustment of a day bucket) are told through <see cref="GrowthPolicy"/>, which adds them.</para>
/// <para>It lives in memory only, beside the state (not stored): a reloaded or deserialized member starts without it
/// and recounts on first use, so it can never disagree with what storage holds. Bounded: a few fields per member.</para>
/// </remarks>
public sealed class GrowthTotals
{
    private bool _valid;
    private TimeZoneInfo? _zone;
    private int _windowDays;
    private object? _orders;
    private object? _records;
    private object? _days;
    private int _orderCount;
    private int _recordCount;
    private int _dayCount;

    /// <summary>The first member-local day of the window the total covers.</summary>
    public DateOnly First { get; private set; }

    /// <summary>Growth (points of growth value) of every source on or after <see cref="First"/>.</summary>
    public long Total { get; private set; }

    /// <summary>Forgets the total; the next read recounts it from the sources.</summary>
    public void Invalidate() => _valid = false;

    /// <summary>True (with the total) when the total was taken for this window over the sources as they are now.</summary>
    internal bool TryGet(MemberState state, TimeZoneInfo zone, DateOnly first, int windowDays, out long total)
    {
        total = Total;
        return _valid && First == first && Matches(state, zone, windowDays);
    }

    /// <summary>Records a total just counted from the sources for the window starting on <paramref name="first"/>.</summary>
    internal void Set(MemberState state, TimeZoneInfo zone, DateOnly first, int windowDays, long total)
    {
        First = first;
        Total = total;
        _zone = zone;
        _windowDays = windowDays;
        _valid = true;
        Stamp(state);
    }

    /// <summary>
    /// Adds <paramref name="delta"/> of growth on the member-local <paramref name="day"/> after the one change of the
    /// sources the caller just made, which added <paramref name="orders"/> orders, <paramref name="records"/> behaviour
    /// records and <paramref name="days"/> day buckets (negative: removed). If the sources differ from what the total
    /// was taken over by anything else (or the zone or window differ), the total is dropped and recounted on next read.
    /// </summary>
    internal void Add(MemberState state, TimeZoneInfo zone, int windowDays, DateOnly day, long delta, int orders, int records, int days)
    {
        if (!_valid
            || !ReferenceEquals(zone, _zone) || windowDays != _windowDays
            || !ReferenceEquals(state.Orders, _orders) || state.Orders.Count != _orderCount + orders
            || !ReferenceEquals(state.BehaviourRecords, _records) || state.BehaviourRecords.Count != _recordCount + records
            || !ReferenceEquals(state.GrowthByDay, _days) || state.GrowthByDay.Count != _dayCount + days)
        {
            _valid = false;
            return;
        }

        if (day >= First)
        {
            Total += delta;
        }

        Stamp(state);
    }

    /// <summary>True when the total is valid over the sources exactly as they are now (any window).</summary>
    internal bool Tracks(MemberState state) => _valid && Matches(state, _zone!, _windowDays);

    /// <summary>
    /// After a change that moved growth between sources without changing any day's growth (folding, pruning old days),
    /// made while <see cref="Tracks"/> held (<paramref name="tracked"/>); otherwise the total is dropped.
    /// </summary>
    internal void Restamp(MemberState state, bool tracked)
    {
        if (tracked)
        {
            Stamp(state);
        }
        else
        {
            _valid = false;
        }
    }

    private bool Matches(MemberState state, TimeZoneInfo zone, int windowDays) =>
        ReferenceEquals(zone, _zone)
        && windowDays == _windowDays
        && ReferenceEquals(state.Orders, _orders) && state.Orders.Count == _orderCount
        && ReferenceEquals(state.BehaviourRecords, _records) && state.BehaviourRecords.Count == _recordCount
        && ReferenceEquals(state.GrowthByDay, _days) && state.GrowthByDay.Count == _dayCount;

    private void Stamp(MemberState state)
    {
        _orders = state.Orders;
        _orderCount = state.Orders.Count;
        _records = state.BehaviourRecords;
        _recordCount = state.BehaviourRecords.Count;
        _days = state.GrowthByDay;
        _dayCount = state.GrowthByDay.Count;
    }
}
