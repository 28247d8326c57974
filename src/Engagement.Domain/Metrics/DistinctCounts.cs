namespace Engagement.Domain.Metrics;

/// <summary>
/// The distinct-member counts of CONTRACT.md §5 (<c>dau</c>, <c>wau</c>, <c>mau</c>, the funnel, sharers, purchasers,
/// repurchasers, their 30-day windows and their calendar periods, <see cref="PeriodCounts"/>) in two scopes: each
/// region's, and the whole programme's.
/// </summary>
/// <remarks>
/// <para>A member counts once in each region it was active in: it keeps its activity days per region
/// (<see cref="MemberMetricState.Regions"/>) beside its programme-wide ones, so a member who shops in a Shanghai store
/// and a Beijing store in the same week is in both regions' <c>wau</c>. (Until 2026-12-04 one set of days served every
/// region, and the second region's counts missed it.)</para>
/// <para>The programme total is not the sum of the regions, which counts such a member once per region: each count in
/// a region that the programme-wide days did not make (the member already counted in another region) is also written
/// as a <b>repeat</b>, <c>dup:{counter}</c> (<see cref="Repeat"/>), on the same aggregator, and the programme reads the
/// sum of the regions less the repeats (<see cref="Programme"/>). Counters stored before repeats existed have none and
/// were programme-distinct already, so their days read as before.</para>
/// </remarks>
public static class DistinctCounts
{
    /// <summary>The prefix of a repeat counter: <c>dup:dau</c>, and as window entries <c>dup:wau@0-6</c>.</summary>
    public const string RepeatPrefix = "dup:";

    private static readonly Func<ActivityBits, ActivityBits, bool> Active = static (x, y) => x.Active != y.Active;

    private static readonly Func<ActivityBits, ActivityBits, bool> Purchase = static (x, y) => x.Purchase != y.Purchase;

    private static readonly Counter[] All =
    [
        new(MetricNames.Dau, 1, static (b, from, to) => b.Active.Any(from, to), Active),
        new(MetricNames.Wau, MemberMetrics.WeekDays, static (b, from, to) => b.Active.Any(from, to), Active),
        new(MetricNames.Mau, MemberMetrics.MonthDays, static (b, from, to) => b.Active.Any(from, to), Active),
        new(MetricNames.FunnelLogin, 1, static (b, from, to) => b.Login.Any(from, to), static (x, y) => x.Login != y.Login),
        new(MetricNames.FunnelBrowse, 1, static (b, from, to) => b.Browse.Any(from, to), static (x, y) => x.Browse != y.Browse),
        new(MetricNames.FunnelCart, 1, static (b, from, to) => b.Cart.Any(from, to), static (x, y) => x.Cart != y.Cart),
        new(MetricNames.Sharers, 1, static (b, from, to) => b.Share.Any(from, to), static (x, y) => x.Share != y.Share),
        new(MetricNames.Purchasers, 1, static (b, from, to) => b.Purchase.Any(from, to), Purchase),
        new(MetricNames.Repurchasers, 1, static (b, from, to) => b.Repurchase.Any(from, to), static (x, y) => x.Repurchase != y.Repurchase),
        new(MetricNames.Purchasers30, MemberMetrics.MonthDays, static (b, from, to) => b.Purchase.Any(from, to), Purchase),
        new(MetricNames.Repurchasers30, MemberMetrics.MonthDays, static (b, from, to) => b.Purchase.Count(from, to) >= 2 || b.Repurchase.Any(from, to), static (x, y) => x.Purchase != y.Purchase || x.Repurchase != y.Repurchase),
    ];

    /// <summary>The distinct counters, each counted per region with its repeats.</summary>
    public static IReadOnlyList<string> Counters { get; } = [.. All.Select(c => c.Name), .. PeriodCounts.Counters];

    /// <summary>The repeat counter of <paramref name="counter"/>: <c>dup:{counter}</c>.</summary>
    public static string Repeat(string counter) => RepeatPrefix + counter;

    /// <summary>
    /// One day's counters of the whole programme (summed over every region, window entries resolved,
    /// <see cref="MetricWindows.Resolve"/>) with each distinct counter less its repeats, and the repeats removed.
    /// </summary>
    public static DayCounters Programme(DayCounters summed)
    {
        ArgumentNullException.ThrowIfNull(summed);
        var counters = WithoutRepeats(summed.Counters);
        foreach (var counter in Counters)
        {
            if (summed.Counters.TryGetValue(Repeat(counter), out var repeats) && repeats != 0)
            {
                counters[counter] = counters.GetValueOrDefault(counter) - repeats;
            }
        }

        return summed with { Counters = counters };
    }

    /// <summary>One region's counters as shown: its own distinct counts; the repeats (which only the programme total reads) removed.</summary>
    public static DayCounters Region(DayCounters day)
    {
        ArgumentNullException.ThrowIfNull(day);
        return day.Counters.Keys.Any(IsRepeat) ? day with { Counters = WithoutRepeats(day.Counters) } : day;
    }

    /// <summary>
    /// Counts a member's activity (an event of <paramref name="type"/>, or a refund) on <paramref name="day"/> in
    /// <paramref name="region"/>: the distinct counts it newly enters in the region, their repeats, and the new state
    /// (programme-wide days and the region's entry, first in <see cref="MemberMetricState.Regions"/>).
    /// </summary>
    /// <remarks>
    /// A region's entry keeps only its own days. The days whose region the member no longer knows
    /// (<see cref="MemberMetricState.ForgottenThrough"/>: a state stored before regions were kept, or a region dropped
    /// past <see cref="MemberMetricState.MaxTrackedRegions"/>) are added when read: up to that day every region takes the
    /// programme-wide days as already counted there, so a member is never counted twice in a region's day or window, at
    /// the price of perhaps not at all in a region it comes back to within the window. The only region of a member that
    /// forgot nothing has the programme's days, and its entry stores none (<see cref="RegionActivity.SameAsProgramme"/>).
    /// <para>When the counted region's entry is first and does not move, the stored list (or, when nothing moved, the
    /// state itself) is returned as it is, and a region holding the programme's own bitmaps takes the programme's new
    /// ones instead of marking its own; <paramref name="keepUnmoved"/> false rebuilds and marks each in full, the same
    /// value (for tests).</para>
    /// </remarks>
    internal static MemberMetricState Count(MemberMetricState s, string? type, string region, DateOnly day, ContributionSink sink, bool keepUnmoved = true)
    {
        var programme = ActivityBits.Of(s);
        var regions = s.Regions ?? [];
        var forgotten = regions.Count == 0 && s.ForgottenThrough == 0 ? programme.Latest : s.ForgottenThrough;
        var index = -1;
        for (var i = 0; i < regions.Count && index < 0; i++)
        {
            index = string.Equals(regions[i].Region, region, StringComparison.Ordinal) ? i : -1;
        }

        var own = index >= 0 ? regions[index].Own(programme) : ActivityBits.None;
        var regionBefore = forgotten == 0 ? own : programme.Until(forgotten).Union(own);
        var programmeAfter = programme.Mark(type, day);

        // The only region of a member that forgot nothing holds the programme's very bitmaps: its marks are the
        // programme's new ones, shared instead of made again (a new day made each new bitmap three times).
        var regionAfter = keepUnmoved && SameBitmaps(regionBefore, programme) ? programmeAfter : regionBefore.Mark(type, day);
        Add(sink, region, day, (regionBefore, regionAfter), (programme, programmeAfter));
        var periodsFrom = PeriodsFrom(s);
        PeriodCounts.Add(sink, region, day, new(regionBefore, regionAfter, Math.Max(forgotten, periodsFrom - 1)), new(programme, programmeAfter, periodsFrom - 1));

        var ownAfter = keepUnmoved && SameBitmaps(own, regionBefore) ? regionAfter : own.MarkAs(regionBefore, regionAfter, day);
        var sameAsProgramme = regions.Count == (index >= 0 ? 1 : 0) && forgotten == 0 && ownAfter == programmeAfter;
        IReadOnlyList<RegionActivity> kept;
        if (keepUnmoved && index == 0 && Unmoved(regions, sameAsProgramme, ownAfter))
        {
            // The region of the latest activity again, its entry as it would be built: the list stays as it is.
            kept = regions;
            if (programmeAfter == programme && forgotten == s.ForgottenThrough && periodsFrom == s.PeriodsFrom)
            {
                return s; // e.g. a second login of the day: no bitmap moved
            }
        }
        else
        {
            var list = new List<RegionActivity>(Math.Min(regions.Count + 1, MemberMetricState.MaxTrackedRegions))
            {
                sameAsProgramme ? new RegionActivity { Region = region } : RegionActivity.Of(region, ownAfter),
            };
            for (var i = 0; i < regions.Count; i++)
            {
                if (i == index)
                {
                    continue;
                }

                var other = regions[i].SameAsProgramme ? RegionActivity.Of(regions[i].Region, programme) : regions[i];
                if (list.Count < MemberMetricState.MaxTrackedRegions)
                {
                    list.Add(other);
                }
                else
                {
                    forgotten = Math.Max(forgotten, other.Bits.Latest);
                }
            }

            kept = list;
        }

        return s with
        {
            Active = programmeAfter.Active, Login = programmeAfter.Login, Browse = programmeAfter.Browse, Cart = programmeAfter.Cart,
            Purchase = programmeAfter.Purchase, Repurchase = programmeAfter.Repurchase, Share = programmeAfter.Share,
            Regions = kept, ForgottenThrough = forgotten, PeriodsFrom = periodsFrom,
        };
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> hold the same bitmap instances (so marking either gives the same days).</summary>
    private static bool SameBitmaps(in ActivityBits a, in ActivityBits b) =>
        ReferenceEquals(a.Active, b.Active) && ReferenceEquals(a.Login, b.Login) && ReferenceEquals(a.Browse, b.Browse)
        && ReferenceEquals(a.Cart, b.Cart) && ReferenceEquals(a.Purchase, b.Purchase)
        && ReferenceEquals(a.Repurchase, b.Repurchase) && ReferenceEquals(a.Share, b.Share);

    /// <summary>
    /// Whether the entries <paramref name="regions"/> (the counted region first) are exactly what the rebuild above would
    /// make of them: the first holds <paramref name="ownAfter"/> as <see cref="RegionActivity.Of"/> stores it (or no
    /// bitmaps when <paramref name="sameAsProgramme"/>), no other stands for the programme's days, none is dropped.
    /// </summary>
    private static bool Unmoved(IReadOnlyList<RegionActivity> regions, bool sameAsProgramme, ActivityBits ownAfter)
    {
        if (regions.Count > MemberMetricState.MaxTrackedRegions)
        {
            return false;
        }

        for (var i = 1; i < regions.Count; i++)
        {
            if (regions[i].SameAsProgramme)
            {
                return false;
            }
        }

        var entry = regions[0];
        return sameAsProgramme
            ? entry.SameAsProgramme
            : Stored(entry.Active, ownAfter.Active) && Stored(entry.Login, ownAfter.Login) && Stored(entry.Browse, ownAfter.Browse)
                && Stored(entry.Cart, ownAfter.Cart) && Stored(entry.Purchase, ownAfter.Purchase)
                && Stored(entry.Repurchase, ownAfter.Repurchase) && Stored(entry.Share, ownAfter.Share);

        // As RegionActivity.Of stores a bitmap: null when empty.
        static bool Stored(DayBits? stored, DayBits bits) => bits.IsEmpty ? stored is null : bits.Equals(stored);
    }

    /// <summary>
    /// <see cref="MemberMetricState.PeriodsFrom"/> of <paramref name="s"/>: as stored, or for a state stored before it
    /// the day after its latest purchase day (those purchases made no period counts), 1 (every day) when it has none.
    /// </summary>
    private static int PeriodsFrom(MemberMetricState s) => s.PeriodsFrom != 0 ? s.PeriodsFrom
        : s.Purchase.IsEmpty && s.Repurchase.IsEmpty ? 1 : Math.Max(s.Purchase.Latest, s.Repurchase.Latest) + 1;

    /// <summary>
    /// The counts the region's days newly make (<paramref name="region"/> before and after), and as repeats the
    /// difference to what the programme's days newly make: +1 where the member already counted elsewhere, −1 where the
    /// programme counts it but the region does not (a region that takes its forgotten days as counted).
    /// </summary>
    private static void Add(ContributionSink sink, string regionId, DateOnly day, (ActivityBits Before, ActivityBits After) region, (ActivityBits Before, ActivityBits After) programme)
    {
        if (region.Before == region.After && programme.Before == programme.After)
        {
            return;
        }

        // The window days judged once per scope, on the stack; the runs read the answers.
        Span<bool> inRegion = stackalloc bool[MetricWindows.MaxWidth];
        Span<bool> inProgramme = stackalloc bool[MetricWindows.MaxWidth];
        Span<bool> repeats = stackalloc bool[MetricWindows.MaxWidth];
        foreach (var c in All)
        {
            if (!c.Changed(region) && !c.Changed(programme))
            {
                continue; // e.g. a second login of the day: nothing this counter reads moved in either scope
            }

            if (c.Width == 1)
            {
                var r = c.Newly(region, day) ? 1 : 0;
                sink.Add(regionId, day, c.Name, r);
                sink.Add(regionId, day, c.RepeatName, r - (c.Newly(programme, day) ? 1 : 0));
                continue;
            }

            var r1 = inRegion[..c.Width];
            var p1 = inProgramme[..c.Width];
            var only = repeats[..c.Width];
            for (var i = 0; i < c.Width; i++)
            {
                r1[i] = c.Newly(region, day.AddDays(i));
                p1[i] = c.Newly(programme, day.AddDays(i));
            }

            sink.AddWindows(regionId, day, c.Name, r1);
            for (var i = 0; i < c.Width; i++)
            {
                only[i] = r1[i] && !p1[i];
            }

            sink.AddWindows(regionId, day, c.RepeatName, only);
            for (var i = 0; i < c.Width; i++)
            {
                only[i] = !r1[i] && p1[i];
            }

            sink.AddWindows(regionId, day, c.RepeatName, only, -1);
        }
    }

    private static bool IsRepeat(string name) => name.StartsWith(RepeatPrefix, StringComparison.Ordinal);

    private static Dictionary<string, long> WithoutRepeats(IReadOnlyDictionary<string, long> counters) =>
        counters.Where(kv => !IsRepeat(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>A distinct counter: a member counts on day d when its days enter the <see cref="Width"/> days ending d.</summary>
    private sealed record Counter(string Name, int Width, Func<ActivityBits, DateOnly, DateOnly, bool> Holds, Func<ActivityBits, ActivityBits, bool> Moved)
    {
        /// <summary>Whether the days this counter reads differ between the scope's before and after.</summary>
        public bool Changed((ActivityBits Before, ActivityBits After) scope) => Moved(scope.Before, scope.After);

        /// <summary>The counter's repeat (<see cref="Repeat"/>), named once, not per event.</summary>
        public string RepeatName { get; } = Repeat(Name);

        /// <summary>Whether the change <paramref name="scope"/> newly puts the member in this counter on <paramref name="d"/>.</summary>
        public bool Newly((ActivityBits Before, ActivityBits After) scope, DateOnly d)
        {
            var from = d.AddDays(-(Width - 1));
            return !Holds(scope.Before, from, d) && Holds(scope.After, from, d);
        }
    }
}
