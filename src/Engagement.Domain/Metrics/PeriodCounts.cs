namespace Engagement.Domain.Metrics;

/// <summary>
/// The calendar-period distinct counts (CONTRACT.md §5 <c>arpu</c>, <c>repurchaseRate</c>: distinct purchasers of the
/// period): for each <see cref="CalendarPeriod"/> a member counts +1 in <c>purchasers{Period}</c> on the local day of its
/// first purchase within the period, and +1 in <c>repurchasers{Period}</c> on the day it reaches its second purchase
/// there (a second purchase day, or a day with two purchases). The sum of a counter over a range that starts on a
/// period's first day and ends within the period is then the range's distinct purchasers (repurchasers), exactly.
/// </summary>
/// <remarks>
/// <para>Derived from the member's purchase days (<see cref="DayBits"/>) before and after each event: when a late
/// purchase moves the member's first (second) purchase of the period earlier, the later day gets −1 and the earlier one
/// +1, so every prefix sum stays exact. Counted per region and programme-wide with repeats, as the other distinct counts
/// (<see cref="DistinctCounts"/>).</para>
/// <para>A scope does not count (and never retracts) a period whose days it cannot know: one starting on or before its
/// unknown days (<see cref="MemberMetricState.PeriodsFrom"/>: purchases of a state stored before these counters; a
/// region's <see cref="MemberMetricState.ForgottenThrough"/>), or one starting before the member's 448-day window. So
/// a member is never counted twice, at the price of perhaps not at all in such a period.</para>
/// </remarks>
internal static class PeriodCounts
{
    private static readonly Kind[] Kinds = [.. Enum.GetValues<CalendarPeriod>().Select(Kind.Of)];

    /// <summary>The period counters (<c>purchasersIsoWeek</c>, <c>repurchasersIsoWeek</c>, ... <c>repurchasersYear</c>: <see cref="CalendarPeriods.Counters"/>).</summary>
    public static IReadOnlyList<string> Counters { get; } = [.. Kinds.SelectMany(kind => new[] { kind.Purchasers, kind.Repurchasers })];

    /// <summary>
    /// The period counts a change of the member's days on <paramref name="day"/> makes in <paramref name="regionId"/>
    /// (its scope <paramref name="region"/>) and, as repeats, the difference to the programme's
    /// (<paramref name="programme"/>); each scope with the last local day (<see cref="DateOnly.DayNumber"/>) it cannot
    /// place purchases on. Only the periods holding <paramref name="day"/> can change.
    /// </summary>
    internal static void Add(ContributionSink sink, string regionId, DateOnly day, Scope region, Scope programme)
    {
        var regionMoved = region.Moved;
        var programmeMoved = programme.Moved;
        if (!regionMoved && !programmeMoved)
        {
            return; // not a purchase: nothing these counters read changed
        }

        foreach (var kind in Kinds)
        {
            var start = CalendarPeriods.Start(kind.Period, day);
            var end = CalendarPeriods.End(kind.Period, day);
            var countRegion = regionMoved && region.Knows(start);
            var countProgramme = programmeMoved && programme.Knows(start);
            if (countRegion)
            {
                Move(sink, regionId, kind, First(region.Before, start, end), First(region.After, start, end), Second(region.Before, start, end), Second(region.After, start, end), 1, 0);
            }

            if (countProgramme)
            {
                Move(sink, regionId, kind, First(programme.Before, start, end), First(programme.After, start, end), Second(programme.Before, start, end), Second(programme.After, start, end), 0, 1);
            }
        }
    }

    /// <summary>
    /// Moves the member's count from the day it counted on to the day it counts on now, in the region's counter
    /// (<paramref name="r"/> 1) or as the programme's (<paramref name="p"/> 1: the repeat takes −1 of it).
    /// </summary>
    private static void Move(ContributionSink sink, string regionId, Kind kind, DateOnly? firstBefore, DateOnly? firstAfter, DateOnly? secondBefore, DateOnly? secondAfter, int r, int p)
    {
        if (firstBefore != firstAfter)
        {
            Put(sink, regionId, firstBefore, kind.Purchasers, kind.PurchasersRepeat, -r, -p);
            Put(sink, regionId, firstAfter, kind.Purchasers, kind.PurchasersRepeat, r, p);
        }

        if (secondBefore != secondAfter)
        {
            Put(sink, regionId, secondBefore, kind.Repurchasers, kind.RepurchasersRepeat, -r, -p);
            Put(sink, regionId, secondAfter, kind.Repurchasers, kind.RepurchasersRepeat, r, p);
        }
    }

    private static void Put(ContributionSink sink, string regionId, DateOnly? day, string counter, string repeat, int r, int p)
    {
        if (day is { } d)
        {
            sink.Add(regionId, d, counter, r);
            sink.Add(regionId, d, repeat, r - p);
        }
    }

    /// <summary>The member's first purchase day in [start, end].</summary>
    private static DateOnly? First(ActivityBits b, DateOnly start, DateOnly end) => b.Purchase.First(start, end);

    /// <summary>The day the member reaches its second purchase in [start, end]: its first day with two purchases, or its second purchase day, whichever is earlier.</summary>
    private static DateOnly? Second(ActivityBits b, DateOnly start, DateOnly end)
    {
        var twice = b.Repurchase.First(start, end);
        var first = b.Purchase.First(start, end);
        var next = first is { } f && f < end ? b.Purchase.First(f.AddDays(1), end) : null;
        return twice is null ? next : next is null || twice <= next ? twice : next;
    }

    /// <summary>One scope's days before and after the change, and the last day (a day number, 0 for none) it cannot place purchases on.</summary>
    internal readonly record struct Scope(ActivityBits Before, ActivityBits After, int UnknownThrough)
    {
        public bool Moved => Before.Purchase != After.Purchase || Before.Repurchase != After.Repurchase;

        /// <summary>Whether every purchase of a period starting on <paramref name="start"/> is known: after the unknown days and inside the window.</summary>
        public bool Knows(DateOnly start) => start.DayNumber > UnknownThrough && After.Purchase.Covers(start) && After.Repurchase.Covers(start);
    }

    private sealed record Kind(CalendarPeriod Period, string Purchasers, string Repurchasers)
    {
        /// <summary>The kind's counters as <see cref="CalendarPeriods.Counters"/> names them.</summary>
        public static Kind Of(CalendarPeriod period)
        {
            var (purchasers, repurchasers) = CalendarPeriods.Counters(period);
            return new(period, purchasers, repurchasers);
        }

        public string PurchasersRepeat { get; } = DistinctCounts.Repeat(Purchasers);

        public string RepurchasersRepeat { get; } = DistinctCounts.Repeat(Repurchasers);
    }
}
