namespace Engagement.Domain.Metrics;

/// <summary>
/// A calendar period of local days (CONTRACT.md §5: every day is the region's local day): an ISO week (Monday to Sunday,
/// whatever year its days are in, so ISO week 53 of 2026 is 2026-12-28 to 2027-01-03), a calendar month, a calendar
/// quarter (January, April, July, October) or a calendar year.
/// </summary>
public enum CalendarPeriod
{
    /// <summary>Monday to Sunday.</summary>
    IsoWeek,

    /// <summary>The first to the last day of a month.</summary>
    Month,

    /// <summary>Three months from January, April, July or October the 1st.</summary>
    Quarter,

    /// <summary>January 1st to December 31st.</summary>
    Year,
}

/// <summary>
/// The calendar periods whose distinct purchasers and repurchasers the members count (<see cref="PeriodCounts"/>), and
/// which of them a health range is (<see cref="HealthMetrics.Summary"/>).
/// </summary>
public static class CalendarPeriods
{
    /// <summary>The period kinds, largest first: the order <see cref="Fitting"/> tries them in.</summary>
    public static IReadOnlyList<CalendarPeriod> LargestFirst { get; } = [CalendarPeriod.Year, CalendarPeriod.Quarter, CalendarPeriod.Month, CalendarPeriod.IsoWeek];

    /// <summary>The first local day of the period of <paramref name="kind"/> that holds <paramref name="day"/>.</summary>
    public static DateOnly Start(CalendarPeriod kind, DateOnly day) => kind switch
    {
        CalendarPeriod.IsoWeek => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        CalendarPeriod.Month => new DateOnly(day.Year, day.Month, 1),
        CalendarPeriod.Quarter => new DateOnly(day.Year, (((day.Month - 1) / 3) * 3) + 1, 1),
        _ => new DateOnly(day.Year, 1, 1),
    };

    /// <summary>The last local day (inclusive) of the period of <paramref name="kind"/> that holds <paramref name="day"/>.</summary>
    public static DateOnly End(CalendarPeriod kind, DateOnly day)
    {
        var start = Start(kind, day);
        return kind switch
        {
            CalendarPeriod.IsoWeek => start.AddDays(6),
            CalendarPeriod.Month => start.AddMonths(1).AddDays(-1),
            CalendarPeriod.Quarter => start.AddMonths(3).AddDays(-1),
            _ => start.AddYears(1).AddDays(-1),
        };
    }

    /// <summary>
    /// The largest period kind the range [<paramref name="from"/>, <paramref name="to"/>] is the start of: it begins on the
    /// period's first day and ends within that period (month-to-date, a whole month, week-to-date, a quarter, a year...);
    /// null when it is none (e.g. 2026-11-15 to 2026-12-14, or a range crossing a period's end).
    /// </summary>
    public static CalendarPeriod? Fitting(DateOnly from, DateOnly to)
    {
        foreach (var kind in LargestFirst)
        {
            if (Start(kind, from) == from && to >= from && to <= End(kind, from))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The name of <paramref name="kind"/> in the API (<see cref="HealthDay.DistinctBasis"/>): <c>isoWeek</c>, <c>month</c>, <c>quarter</c>, <c>year</c>.</summary>
    public static string NameOf(CalendarPeriod kind) => kind switch
    {
        CalendarPeriod.IsoWeek => "isoWeek",
        CalendarPeriod.Month => "month",
        CalendarPeriod.Quarter => "quarter",
        _ => "year",
    };

    /// <summary>
    /// The day counters of the period kind's distinct purchasers and repurchasers (<see cref="PeriodCounts"/>): the one
    /// table of them, which the members write by and <see cref="HealthMetrics.Summary"/> reads by (CONTRACT.md §5
    /// <c>arpu</c>, <c>repurchaseRate</c>): <see cref="MetricNames.PurchasersIsoWeek"/> and
    /// <see cref="MetricNames.RepurchasersIsoWeek"/>, ... <see cref="MetricNames.RepurchasersYear"/>.
    /// </summary>
    public static (string Purchasers, string Repurchasers) Counters(CalendarPeriod kind) => kind switch
    {
        CalendarPeriod.IsoWeek => (MetricNames.PurchasersIsoWeek, MetricNames.RepurchasersIsoWeek),
        CalendarPeriod.Month => (MetricNames.PurchasersMonth, MetricNames.RepurchasersMonth),
        CalendarPeriod.Quarter => (MetricNames.PurchasersQuarter, MetricNames.RepurchasersQuarter),
        _ => (MetricNames.PurchasersYear, MetricNames.RepurchasersYear),
    };
}
