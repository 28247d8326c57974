namespace Engagement.Domain.Metrics;

/// <summary>
/// The programme health metrics of CONTRACT.md §5 for one local day (or a range), computed from summed counters.
/// Rates are fractions in [0, 1] rounded to 4 decimals, null when their denominator is 0; money is CNY rounded to
/// 2 decimals (half away from zero).
/// </summary>
public sealed record HealthDay
{
    public DateOnly Day { get; init; }

    /// <summary>§5 <c>members</c>: members registered by the end of the day.</summary>
    public long Members { get; init; }

    /// <summary>§5 <c>newMembers</c>: registered that day (first appearance).</summary>
    public long NewMembers { get; init; }

    /// <summary>§5 <c>dau</c>: distinct members with any activity (any event but <c>complaint</c>) that day.</summary>
    public long Dau { get; init; }

    /// <summary>§5 <c>wau</c>: distinct members active in the 7 days ending that day.</summary>
    public long Wau { get; init; }

    /// <summary>§5 <c>mau</c>: distinct members active in the 30 days ending that day.</summary>
    public long Mau { get; init; }

    /// <summary>§5 <c>activeShare</c> = mau / members.</summary>
    public double? ActiveShare { get; init; }

    /// <summary>dau / mau (stickiness).</summary>
    public double? DauMau { get; init; }

    /// <summary>Revenue net of refunds, CNY.</summary>
    public decimal Revenue { get; init; }

    /// <summary>Distinct purchasers of the day (for a range: purchaser-days, the sum over its days).</summary>
    public long Purchasers { get; init; }

    /// <summary>
    /// §5 <c>arpu</c> = revenue net of refunds / distinct purchasers in the period, CNY. For a range
    /// (<see cref="HealthMetrics.Summary"/>) only where its distinct purchasers are counted (<see cref="DistinctBasis"/>):
    /// a single day, the 30 days ending the range's last day (<see cref="Purchasers30"/>), or a range starting on the
    /// first day of an ISO week, calendar month, quarter or year (not before <see cref="MetricsOptions.PeriodCountsSince"/>)
    /// and ending within it; null for other ranges, whose
    /// distinct purchasers sums of days cannot give.
    /// </summary>
    public decimal? Arpu { get; init; }

    /// <summary>
    /// §5 <c>repurchaseRate</c>: purchasers with ≥ 2 purchases in the period / purchasers (a fraction, 4 decimals). For a
    /// range (<see cref="HealthMetrics.Summary"/>) for the same ranges as <see cref="Arpu"/> (<see cref="DistinctBasis"/>),
    /// null for others.
    /// </summary>
    public double? RepurchaseRate { get; init; }

    /// <summary>
    /// For a range's summary: how its distinct purchasers (the denominator of <see cref="Arpu"/> and
    /// <see cref="RepurchaseRate"/>) were counted: <c>day</c> (one day), <c>trailing30</c> (the 30 days ending the last day),
    /// <c>isoWeek</c>, <c>month</c>, <c>quarter</c>, <c>year</c> (a range starting on that calendar period's first local
    /// day, not before <see cref="MetricsOptions.PeriodCountsSince"/>, and ending within it, the largest that fits), or null
    /// when the range is none of these (then both are null).
    /// Null on the rows of single days.
    /// </summary>
    public string? DistinctBasis { get; init; }

    /// <summary>For a range's summary: the range's distinct purchasers by <see cref="DistinctBasis"/>, members; null when it has none.</summary>
    public long? DistinctPurchasers { get; init; }

    /// <summary>
    /// For a range's summary with no <see cref="DistinctBasis"/>: why its distinct purchasers are not counted, as
    /// <see cref="HealthMetrics.Summary"/> decided it (<see cref="MissingDistinctFigures"/> words it); otherwise
    /// <see cref="MissingDistinctFigure.None"/>. The API answers it as <see cref="DistinctNullReason"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public MissingDistinctFigure DistinctMissing { get; init; }

    /// <summary>
    /// For a range's summary whose <see cref="Arpu"/> and <see cref="RepurchaseRate"/> are null, why (additive to
    /// CONTRACT.md §5): <c>noPurchasers</c>, <c>rangeNotCounted</c>, <c>beforePeriodCounts</c>, <c>daysMissing</c>
    /// (<see cref="MissingDistinctFigures.Code"/>); null when they are given, and on the rows of single days.
    /// </summary>
    public string? DistinctNullReason => MissingDistinctFigures.Code(this);

    /// <summary>§5 <c>repurchaseRate</c> over the 30 days ending that day: members with ≥ 2 purchases / members with one.</summary>
    public double? RepurchaseRate30 { get; init; }

    /// <summary>Distinct purchasers in the 30 days ending that day.</summary>
    public long Purchasers30 { get; init; }

    /// <summary>
    /// §5 <c>repurchase7d</c>: of members whose first purchase fell on the day, the share who bought again within 7 days
    /// (by the end of local day D + 7). Null until D + 7 is a complete local day of the region (it only ever rose until
    /// then); for a range, the cohorts of its days whose D + 7 is complete.
    /// </summary>
    public double? Repurchase7d { get; init; }

    /// <summary>
    /// §5 <c>nextDayRetention</c>: of members registered on the day, the share active on the next day. Null until D + 1 is
    /// a complete local day of the region (today's cohort read 0 of n); for a range, the cohorts of its days whose D + 1
    /// is complete.
    /// </summary>
    public double? NextDayRetention { get; init; }

    /// <summary>§5 <c>shareRate</c>: members who shared / active members (dau).</summary>
    public double? ShareRate { get; init; }

    /// <summary>Complaint events.</summary>
    public long Complaints { get; init; }

    /// <summary>§5 <c>complaintRate</c>: complaints / active members (dau).</summary>
    public double? ComplaintRate { get; init; }

    /// <summary>§5 <c>campaignResponse</c>: converted / reached.</summary>
    public double? CampaignResponse { get; init; }

    /// <summary>§5 <c>couponRedemptionRate</c>: coupons redeemed / issued.</summary>
    public double? CouponRedemptionRate { get; init; }

    /// <summary>§5 <c>funnel</c>: distinct members with a login, browse, add_to_cart, purchase that day.</summary>
    public FunnelDay Funnel { get; init; } = new();
}

/// <summary>Distinct members at each funnel step of one day (CONTRACT.md §5 <c>funnel</c>).</summary>
public sealed record FunnelDay
{
    public long Login { get; init; }

    public long Browse { get; init; }

    public long AddToCart { get; init; }

    public long Purchase { get; init; }
}

/// <summary>Computes <see cref="HealthDay"/> from counters (CONTRACT.md §5).</summary>
public static class HealthMetrics
{
    /// <summary>
    /// The §5 metrics of one day from its counters and the members registered by its end. The cohort figures
    /// (<see cref="HealthDay.NextDayRetention"/>, <see cref="HealthDay.Repurchase7d"/>) are null until the days they wait
    /// for are complete local days: before <paramref name="today"/>, the region's local day of now (CONTRACT.md §5).
    /// </summary>
    /// <param name="c">The day's counters.</param>
    /// <param name="members">Members registered by the end of the day.</param>
    /// <param name="today">The region's local day of now (Asia/Shanghai unless the region says otherwise); for the whole
    /// programme the earliest of its zones' (<see cref="MetricsOptions.ProgrammeDay"/>).</param>
    public static HealthDay Of(DayCounters c, long members, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(c);
        var purchasers = c[MetricNames.Purchasers];
        var dau = c[MetricNames.Dau];
        var mau = c[MetricNames.Mau];
        return new HealthDay
        {
            Day = c.Day,
            Members = members,
            NewMembers = c[MetricNames.NewMembers],
            Dau = dau,
            Wau = c[MetricNames.Wau],
            Mau = mau,
            ActiveShare = Rate(mau, members),
            DauMau = Rate(dau, mau),
            Revenue = Money(c.Revenue),
            Purchasers = purchasers,
            Arpu = purchasers == 0 ? null : Money(c.Revenue / purchasers),
            RepurchaseRate = Rate(c[MetricNames.Repurchasers], purchasers),
            Purchasers30 = c[MetricNames.Purchasers30],
            RepurchaseRate30 = Rate(c[MetricNames.Repurchasers30], c[MetricNames.Purchasers30]),
            Repurchase7d = Complete(c.Day, MemberMetrics.RepurchaseWithinDays, today) ? Rate(c[MetricNames.Repurchased7d], c[MetricNames.FirstPurchasers]) : null,
            NextDayRetention = Complete(c.Day, 1, today) ? Rate(c[MetricNames.RetainedNextDay], c[MetricNames.NewMembers]) : null,
            ShareRate = Rate(c[MetricNames.Sharers], dau),
            Complaints = c[MetricNames.Complaints],
            ComplaintRate = Rate(c[MetricNames.Complaints], dau),
            CampaignResponse = Rate(c[MetricNames.CampaignConverted], c[MetricNames.CampaignReached]),
            CouponRedemptionRate = Rate(c[MetricNames.CouponsRedeemed], c[MetricNames.CouponsIssued]),
            Funnel = new FunnelDay
            {
                Login = c[MetricNames.FunnelLogin],
                Browse = c[MetricNames.FunnelBrowse],
                AddToCart = c[MetricNames.FunnelCart],
                Purchase = purchasers,
            },
        };
    }

    /// <summary>
    /// A series of days, oldest first, with <c>members</c> of each day worked back from the live member count
    /// <paramref name="membersNow"/> minus the members who joined or moved in after it, plus those who moved out
    /// (<see cref="MembersAdded"/>; <paramref name="joinedAfterLast"/>: added after the series' last day). Cohort figures
    /// wait for complete local days before <paramref name="today"/> (<see cref="Of"/>).
    /// </summary>
    /// <param name="days">The days' counters, oldest first.</param>
    /// <param name="membersNow">The live member count.</param>
    /// <param name="joinedAfterLast">Members added after the last day.</param>
    /// <param name="today">The region's local day of now.</param>
    /// <param name="regionId">The region, or null for the whole programme, whose members only joining changes (<see cref="MembersAdded"/>).</param>
    public static IReadOnlyList<HealthDay> Series(IReadOnlyList<DayCounters> days, long membersNow, long joinedAfterLast, DateOnly today, string? regionId)
    {
        ArgumentNullException.ThrowIfNull(days);
        var result = new HealthDay[days.Count];
        var members = membersNow - joinedAfterLast;
        for (var i = days.Count - 1; i >= 0; i--)
        {
            result[i] = Of(days[i], Math.Max(0, members), today);
            members -= MembersAdded(days[i], regionId);
        }

        return result;
    }

    /// <summary>
    /// The range's summary: sums of its days' counters and rates of those sums (<c>shareRate</c> and
    /// <c>complaintRate</c> per active member-day, <c>purchasers</c> purchaser-days); <c>members</c>, <c>dau</c>,
    /// <c>wau</c>, <c>mau</c> and the 30-day windows (<c>purchasers30</c>, <c>repurchaseRate30</c>: distinct members) are
    /// those of the last day. §5's <c>arpu</c> and <c>repurchaseRate</c> divide by the distinct purchasers of the period,
    /// which the counters hold for one day, for the 30 days ending a day, and for a calendar period's days from its first
    /// (ISO week, month, quarter, year: <see cref="PeriodCounts"/>): a range of one day, of the 30 days ending its last
    /// day, or starting on a period's first day (not before <paramref name="periodCountsSince"/>) and ending within it has
    /// them (<see cref="HealthDay.DistinctBasis"/> says which), any other range null (dividing by purchaser-days instead made a member buying on two days two purchasers
    /// and halved its ARPU). <c>nextDayRetention</c> and <c>repurchase7d</c> sum only the cohort days
    /// whose D + 1 (D + 7) is a complete local day before <paramref name="today"/>: an unfinished cohort counted its
    /// members but not yet their return, so a range ending today read 0.5 where every finished cohort was 1.0.
    /// </summary>
    /// <param name="days">The range's counters, oldest first.</param>
    /// <param name="series">Its <see cref="Series"/>.</param>
    /// <param name="today">The region's local day of now.</param>
    /// <param name="periodCountsSince">The first local day the calendar-period counts hold every purchase
    /// (<see cref="MetricsOptions.PeriodCountsSince"/>): a range starting before it gets no calendar basis.</param>
    public static HealthDay Summary(IReadOnlyList<DayCounters> days, IReadOnlyList<HealthDay> series, DateOnly today, DateOnly periodCountsSince)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(series);
        if (days.Count == 0)
        {
            return new HealthDay();
        }

        var last = days[^1];
        var sum = DayCounters.Sum(last.Day, days);
        var counters = new Dictionary<string, long>(sum.Counters, StringComparer.Ordinal);
        foreach (var name in new[] { MetricNames.Dau, MetricNames.Wau, MetricNames.Mau, MetricNames.Purchasers30, MetricNames.Repurchasers30 })
        {
            counters[name] = last[name];
        }

        var of = Of(sum with { Counters = counters }, series[^1].Members, DateOnly.MaxValue);
        var dauDays = sum[MetricNames.Dau];
        var (basis, distinct, repurchasers, missing) = Distinct(days, sum, periodCountsSince);
        return of with
        {
            ShareRate = Rate(sum[MetricNames.Sharers], dauDays),
            ComplaintRate = Rate(sum[MetricNames.Complaints], dauDays),
            Arpu = distinct > 0 ? Money(sum.Revenue / distinct.Value) : null,
            RepurchaseRate = distinct is { } d ? Rate(repurchasers, d) : null,
            DistinctBasis = basis,
            DistinctPurchasers = distinct,
            DistinctMissing = missing,
            Repurchase7d = Cohorts(days, MemberMetrics.RepurchaseWithinDays, today, MetricNames.Repurchased7d, MetricNames.FirstPurchasers),
            NextDayRetention = Cohorts(days, 1, today, MetricNames.RetainedNextDay, MetricNames.NewMembers),
        };
    }

    /// <summary>
    /// The range's distinct purchasers and repurchasers and how they were counted (<see cref="HealthDay.DistinctBasis"/>):
    /// a single day's own; the 30 days ending the last day from its 30-day windows; a range starting on a calendar
    /// period's first day and ending within it (the largest such period, <see cref="CalendarPeriods.Fitting"/>) as the
    /// sums of the period's day counters (<see cref="PeriodCounts"/>) when it starts on or after
    /// <paramref name="periodCountsSince"/> (before it, members stored by an older build are missing from the period for
    /// good); otherwise none, with the reason (<see cref="MissingDistinctFigure"/>): days missing from the list, a range no
    /// period fits, or a period starting before <paramref name="periodCountsSince"/>.
    /// </summary>
    private static (string? Basis, long? Purchasers, long Repurchasers, MissingDistinctFigure Missing) Distinct(IReadOnlyList<DayCounters> days, DayCounters sum, DateOnly periodCountsSince)
    {
        var first = days[0].Day;
        var last = days[^1];
        if (days.Count == 1)
        {
            return ("day", last[MetricNames.Purchasers], last[MetricNames.Repurchasers], MissingDistinctFigure.None);
        }

        if (days.Count == DistinctWindowDays && first == last.Day.AddDays(-(DistinctWindowDays - 1)))
        {
            return ("trailing30", last[MetricNames.Purchasers30], last[MetricNames.Repurchasers30], MissingDistinctFigure.None);
        }

        if (days.Count != last.Day.DayNumber - first.DayNumber + 1)
        {
            return (null, null, 0, MissingDistinctFigure.DaysMissing);
        }

        if (CalendarPeriods.Fitting(first, last.Day) is not { } kind)
        {
            return (null, null, 0, MissingDistinctFigure.RangeNotCounted);
        }

        if (first < periodCountsSince)
        {
            return (null, null, 0, MissingDistinctFigure.BeforePeriodCounts);
        }

        var (purchasers, repurchasers) = CalendarPeriods.Counters(kind);
        return (CalendarPeriods.NameOf(kind), sum[purchasers], sum[repurchasers], MissingDistinctFigure.None);
    }

    /// <summary>Whether local day <paramref name="day"/> + <paramref name="after"/> is complete: before <paramref name="today"/>.</summary>
    private static bool Complete(DateOnly day, int after, DateOnly today) => day.DayNumber + after < today.DayNumber;

    /// <summary>The rate over the cohort days of <paramref name="days"/> whose day + <paramref name="after"/> is complete; null when none is.</summary>
    private static double? Cohorts(IReadOnlyList<DayCounters> days, int after, DateOnly today, string counted, string cohort)
    {
        var complete = days.Where(d => Complete(d.Day, after, today)).ToList();
        return complete.Count == 0 ? null : Rate(complete.Sum(d => d[counted]), complete.Sum(d => d[cohort]));
    }

    /// <summary>The width of the distinct-purchaser window (<see cref="HealthDay.Purchasers30"/>), days.</summary>
    public const int DistinctWindowDays = 30;

    /// <summary>
    /// How many members the region gained on the day: joined, plus moved in from another region, minus moved out to one
    /// (the members gauge moves by exactly these). For the whole programme (<paramref name="regionId"/> null) only those
    /// who joined: a move leaves the programme's count as it is, and its two sides may fall on different days (each is
    /// dated in its own region's zone, <see cref="MemberTransition.MovedOutDay"/>), so they would not cancel on one day.
    /// </summary>
    public static long MembersAdded(DayCounters day, string? regionId)
    {
        ArgumentNullException.ThrowIfNull(day);
        return regionId is null ? day[MetricNames.NewMembers] : day[MetricNames.NewMembers] + day[MetricNames.MovedIn] - day[MetricNames.MovedOut];
    }

    /// <summary>
    /// The longest range of local days health is asked for (CONTRACT.md §5: days are kept at least 400; the API's
    /// <c>ProgrammeEndpoints.MaxDays</c> is this), and so the longest span <see cref="MembersAddedAfterAsync"/> and
    /// <see cref="HealthRange.ReadAsync"/> ask their reader for at once. No view asks for more: the points view reads
    /// from the earlier of the range's first day and the first of the 90-day rate window ending its last (<c>to</c> − 89),
    /// at most max(90, the range's days) ≤ 400 days. The reader grain takes reads of up to 500 days
    /// (<c>ProgrammeMetricsGrain.MaxDays</c>): headroom over this, not a need of any read.
    /// </summary>
    public const int MaxReadDays = 400;

    /// <summary>
    /// The last local day whose members <see cref="MembersAddedAfterAsync"/> counts at <paramref name="now"/>: the latest
    /// local day among all the programme's zones (<see cref="MetricsOptions.LatestDay(DateTimeOffset)"/>), plus one for an
    /// event stamped within the accepted clock skew before that zone's midnight.
    /// </summary>
    /// <param name="options">The zones.</param>
    /// <param name="now">The instant the live gauge stands at.</param>
    public static DateOnly LookAheadThrough(MetricsOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LatestDay(now).AddDays(1);
    }

    /// <summary>
    /// The members a region (or the whole programme) gained after local day <paramref name="day"/> up to the last day
    /// its live members gauge can have moved on at <paramref name="now"/>: the <c>joinedAfterLast</c> of <see cref="Series"/>,
    /// which works the live count back to <paramref name="day"/> (CONTRACT.md §5 <c>members</c>). The one rule of both
    /// the health ranges and the alert rules. For a region too it runs to the latest local day among all the programme's
    /// zones (<see cref="MetricsOptions.LatestDay(DateTimeOffset)"/>); a region's own rows end at its own day, so the
    /// days after it read nothing. It reads one day more: an event stamped up to the
    /// accepted clock skew ahead (5 minutes, CONTRACT.md) is dated the next day in the zone furthest ahead just before
    /// its midnight, and a member who joined on it counted on that zone's today, then dropped out of it the next day.
    /// </summary>
    /// <param name="options">The zones.</param>
    /// <param name="day">The last day counted (its members are worked back to).</param>
    /// <param name="now">The instant the live gauge stands at.</param>
    /// <param name="regionId">The region, or null for the whole programme (<see cref="MembersAdded"/>).</param>
    /// <param name="read">The region's counters of the days first to last (inclusive), at most <see cref="MaxReadDays"/> of them.</param>
    public static async Task<long> MembersAddedAfterAsync(MetricsOptions options, DateOnly day, DateTimeOffset now, string? regionId, Func<DateOnly, DateOnly, Task<IReadOnlyList<DayCounters>>> read)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(read);
        var through = LookAheadThrough(options, now);
        long added = 0;
        for (var start = day.AddDays(1); start <= through; start = start.AddDays(MaxReadDays))
        {
            var end = DateOnly.FromDayNumber(Math.Min(through.DayNumber, start.DayNumber + MaxReadDays - 1));
            added += (await read(start, end).ConfigureAwait(false)).Sum(d => MembersAdded(d, regionId));
        }

        return added;
    }

    /// <summary>numerator / denominator rounded to 4 decimals; null when the denominator is not positive.</summary>
    public static double? Rate(long numerator, long denominator) =>
        denominator <= 0 ? null : Math.Round((double)numerator / denominator, 4, MidpointRounding.AwayFromZero);

    /// <summary>CNY to 2 decimals, half away from zero.</summary>
    public static decimal Money(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
