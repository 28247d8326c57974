using System.Globalization;

namespace Engagement.Domain.Metrics;

/// <summary>What one rule found for one region at one evaluation.</summary>
public sealed record AlertObservation
{
    public required string Rule { get; init; }

    /// <summary>The region, or <see cref="AlertRules.AllRegions"/>.</summary>
    public required string RegionId { get; init; }

    /// <summary>Whether the condition holds now.</summary>
    public bool Breached { get; init; }

    /// <summary>
    /// The measured value (a fraction), null when there is too little data to judge: then never breached, and an open
    /// episode of the rule stays as it is (<see cref="AlertBook.Apply"/>).
    /// </summary>
    public double? Value { get; init; }

    public double? Threshold { get; init; }

    public string Message { get; init; } = "";

    /// <summary>The local days judged (<see cref="AlertWindow"/>), stored on the alert it raises or resolves; null when none were.</summary>
    public AlertWindow? Window { get; init; }

    /// <summary>
    /// The side of <see cref="Threshold"/> a breach is on (<see cref="AlertDirections"/>), recorded on the alert it raises
    /// (<see cref="AlertRecord.Direction"/>); null when the rule has no side (the points band within the band).
    /// </summary>
    public string? Direction { get; init; }
}

/// <summary>Judges the §5 alert rules on a region's daily series (CONTRACT.md §5). Pure.</summary>
public static class AlertPolicy
{
    /// <summary>
    /// The observations of every enabled metric rule for one region, from its health series and day counters
    /// (both oldest first, ending today; at least <see cref="AlertOptions.LookbackDays"/> days for full judgement).
    /// Every rule judges complete local days only, the last element of each list (today) left out. Today's
    /// activity measure, a few hours into the day, is far below any baseline (its DAU has barely begun), and judged with
    /// them it opened an episode every night that closed by day; the coupon, complaint and points windows ending today
    /// moved with every hourly evaluation as the day filled, so a rate near its threshold opened and resolved episodes
    /// several times a day (a morning of complaints above 3%, an evening of logins back under it). Judged on complete
    /// days, a rule's observation changes once a day, after local midnight. An open activity episode of the region in
    /// <paramref name="book"/> is judged against the baseline it was raised on.
    /// </summary>
    /// <param name="regionId">The region, or <see cref="AlertRules.AllRegions"/>.</param>
    /// <param name="series">The region's health series, oldest first, ending today (local day).</param>
    /// <param name="counters">Its day counters, oldest first, ending today (local day).</param>
    /// <param name="options">The alert options.</param>
    /// <param name="book">The alert book, for the baseline of an open activity episode; null for none.</param>
    /// <param name="pointsOutstanding">
    /// The programme's live points-outstanding gauge (<see cref="GaugeNames.PointsOutstanding"/>, all regions), points,
    /// which <see cref="PointsLiability"/> works back from; null leaves that rule unjudged. Read for
    /// <see cref="AlertRules.AllRegions"/> only: no region is judged on that rule.
    /// </param>
    public static IReadOnlyList<AlertObservation> Observe(string regionId, IReadOnlyList<HealthDay> series, IReadOnlyList<DayCounters> counters, AlertOptions options, AlertBookState? book = null, long? pointsOutstanding = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(options);
        var raisedOn = book is null ? null : AlertBook.OpenOf(book, AlertRules.ActivityBelowBaseline, regionId)?.Threshold;
        var complete = counters.Take(Math.Max(0, counters.Count - 1)).ToList();
        var list = new List<AlertObservation>
        {
            Activity(regionId, series.Take(Math.Max(0, series.Count - 1)).ToList(), options, raisedOn),
            Coupons(regionId, complete, options),
            Complaints(regionId, complete, options),
            Points(regionId, complete, options),
        };
        // The liability rule judges the whole programme only: a member's whole balance moves from one region's
        // points-outstanding gauge to another's when an event comes from a new region, and no day counter records that
        // move, so a region's past end-of-day points cannot be worked back from its own counters (a region that lost a
        // 60,000-point member three days ago showed +16% after earning 8,000). Programme-wide, moves net to zero.
        if (regionId == AlertRules.AllRegions)
        {
            list.Add(PointsLiability(regionId, counters, pointsOutstanding, options));
        }

        return list.Where(o => !options.Disabled.Contains(o.Rule)).ToList();
    }

    /// <summary>
    /// The regions an evaluation judges besides the whole programme (<see cref="AlertRules.AllRegions"/>): every listed
    /// region but one named <c>all</c>, which aggregators may hold from before <see cref="MetricsOptions.RegionOf"/>
    /// reserved the name. Judged, it wrote the programme's episodes (<c>{rule}|all</c>) with its own figures and closed and
    /// reopened them on every run; its members are in the programme-wide figures.
    /// </summary>
    /// <param name="regions">The regions the aggregators list.</param>
    public static IReadOnlyList<string> JudgedRegions(IEnumerable<string> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        return regions.Where(r => !string.Equals(r, AlertRules.AllRegions, StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// activity.below-baseline: the measure below the baseline on each of the last <see cref="AlertOptions.ActivityDays"/>
    /// days; the baseline is <see cref="AlertOptions.ActivityBaseline"/>, or the median of the
    /// <see cref="AlertOptions.BaselineDays"/> days before those judged, one value for the whole run. While an episode is
    /// open, that median is the one it was raised on (<paramref name="raisedOn"/>, its <see cref="AlertRecord.Threshold"/>):
    /// the median window moves on daily, and after some six weeks of a steady drop its own low days made the median, so
    /// the episode resolved though the measure never returned (CONTRACT.md §5). It resolves when a judged day is back at
    /// that baseline.
    /// </summary>
    /// <param name="regionId">The region, or <see cref="AlertRules.AllRegions"/>.</param>
    /// <param name="series">Complete local days, oldest first.</param>
    /// <param name="options">The alert options.</param>
    /// <param name="raisedOn">The baseline of the region's open episode of this rule; null when none is open.</param>
    public static AlertObservation Activity(string regionId, IReadOnlyList<HealthDay> series, AlertOptions options, double? raisedOn = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        double? Measure(HealthDay d) => options.ActivityMetric == "dauMau" ? d.DauMau : d.ActiveShare;
        var n = options.ActivityDays;
        var result = new AlertObservation { Rule = AlertRules.ActivityBelowBaseline, RegionId = regionId, Direction = AlertDirections.Below };
        if (series.Count < n)
        {
            return result;
        }

        // One baseline for the whole judged run, from the days before it: a baseline per judged day took the run's own
        // low days into it, so a sustained drop became its own baseline and resolved itself while the measure stayed low.
        var start = series.Count - n;
        var lastBaseline = options.ActivityBaseline ?? raisedOn ?? Median(series.Skip(Math.Max(0, start - options.BaselineDays)).Take(Math.Min(start, options.BaselineDays)).Select(Measure), options.BaselineDays / 2);
        var values = series.Skip(start).Select(Measure).ToList();
        var below = lastBaseline is not null && values.All(v => v is not null && v < lastBaseline);
        // Judged only with a baseline and, unless a day is at or above it, a measure on every day: otherwise the value is
        // null (too little data), which leaves an open episode as it is.
        var judged = lastBaseline is not null && (below || values.Any(v => v is not null && v >= lastBaseline));
        var now = judged ? Measure(series[^1]) : null;
        return result with
        {
            Breached = below,
            Value = now,
            Threshold = lastBaseline,
            Window = AlertWindow.Of(series.Skip(start).Select(d => d.Day), lastBaseline),
            Message = string.Create(CultureInfo.InvariantCulture, $"{options.ActivityMetric} {Pct(now)} against baseline {Pct(lastBaseline)}; below it {(below ? "on each" : "not on each")} of the {n} local days {Days(series.Skip(start).Select(d => d.Day))}: churn-warning analysis: find the segments, stores and channels that lost active members and start win-back"),
        };
    }

    private static AlertObservation Coupons(string regionId, IReadOnlyList<DayCounters> counters, AlertOptions options)
    {
        var window = counters.TakeLast(options.CouponWindowDays).ToList();
        var issued = window.Sum(d => d[MetricNames.CouponsIssued]);
        var redeemed = window.Sum(d => d[MetricNames.CouponsRedeemed]);
        var rate = issued < options.CouponMinIssued ? null : HealthMetrics.Rate(redeemed, issued);
        return new AlertObservation
        {
            Rule = AlertRules.BenefitsRedemptionLow,
            RegionId = regionId,
            Direction = AlertDirections.Below,
            Breached = rate is not null && Exact(redeemed, issued) < options.CouponRedemptionMin,
            Value = rate,
            Threshold = options.CouponRedemptionMin,
            Window = AlertWindow.Of(window.Select(d => d.Day), options.CouponRedemptionMin),
            Message = string.Create(CultureInfo.InvariantCulture, $"coupon redemption {Pct(rate)} ({redeemed} of {issued} coupons issued) over the {options.CouponWindowDays} local days {Days(window.Select(d => d.Day))} (floor {Pct(options.CouponRedemptionMin)}): benefit audit: check that the offers reach members, are worth using and can be used in store before they expire"),
        };
    }

    private static AlertObservation Complaints(string regionId, IReadOnlyList<DayCounters> counters, AlertOptions options)
    {
        var window = counters.TakeLast(options.ComplaintWindowDays).ToList();
        var active = window.Sum(d => d[MetricNames.Dau]);
        var complaints = window.Sum(d => d[MetricNames.Complaints]);
        var rate = active < options.ComplaintMinActive ? null : HealthMetrics.Rate(complaints, active);
        return new AlertObservation
        {
            Rule = AlertRules.ComplaintsHigh,
            RegionId = regionId,
            Direction = AlertDirections.Above,
            Breached = rate is not null && Exact(complaints, active) > options.ComplaintRateMax,
            Value = rate,
            Threshold = options.ComplaintRateMax,
            Window = AlertWindow.Of(window.Select(d => d.Day), options.ComplaintRateMax),
            Message = string.Create(CultureInfo.InvariantCulture, $"complaint rate {Pct(rate)} ({complaints} complaints in {active} active member-days) over the {options.ComplaintWindowDays} local days {Days(window.Select(d => d.Day))} (ceiling {Pct(options.ComplaintRateMax)}): service-process review: read those days' complaints by store and cause and fix the most frequent"),
        };
    }

    private static AlertObservation Points(string regionId, IReadOnlyList<DayCounters> counters, AlertOptions options)
    {
        var window = counters.TakeLast(PointsEconomy.RateWindowDays).ToList();
        var issued = window.Sum(d => d[MetricNames.PointsIssued]);
        var redeemed = window.Sum(d => d[MetricNames.PointsRedeemed]);
        var rate = issued < options.PointsMinIssued ? null : HealthMetrics.Rate(redeemed, issued);
        var low = rate is not null && Exact(redeemed, issued) < options.PointsBandLow;
        var high = rate is not null && Exact(redeemed, issued) > options.PointsBandHigh;

        // Three readings, not two: a rate within the band is neither hoarding nor inflation (it read "inflation review"
        // whenever it was not low, the judgement that resolves either episode included).
        var reading = low
            ? "points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances"
            : high
                ? "points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions"
                : "within the band: no review needed";
        return new AlertObservation
        {
            Rule = AlertRules.PointsRedemptionBand,
            RegionId = regionId,
            Direction = low ? AlertDirections.Below : high ? AlertDirections.Above : null,
            Breached = low || high,
            Value = rate,
            Threshold = low ? options.PointsBandLow : options.PointsBandHigh,
            Window = AlertWindow.Of(window.Select(d => d.Day), low ? options.PointsBandLow : options.PointsBandHigh) is { } judged
                ? judged with { BandLow = options.PointsBandLow, BandHigh = options.PointsBandHigh }
                : null,
            Message = string.Create(CultureInfo.InvariantCulture, $"points redemption {Pct(rate)} ({redeemed} of {issued} points issued were redeemed) over the {PointsEconomy.RateWindowDays} local days {Days(window.Select(d => d.Day))} (band {Pct(options.PointsBandLow)}–{Pct(options.PointsBandHigh)}): {reading}"),
        };
    }

    /// <summary>
    /// points.liability-jump: the points outstanding at the end of the last complete local day (yesterday) against the
    /// baseline, the median of the end-of-day outstanding points of the <see cref="AlertOptions.PointsLiabilityBaselineDays"/>
    /// days (28) before the <see cref="AlertOptions.PointsLiabilityDays"/> judged days (7, ending yesterday); fires when
    /// the rise is more than <see cref="AlertOptions.PointsLiabilityRiseMax"/> (15%) of the baseline, judged exactly in
    /// decimal. Each day's end is worked back from <paramref name="outstandingNow"/> by the net points of the days after
    /// it (issued − redeemed − expired − reversed + adjusted, which together are every ledger movement of points,
    /// <see cref="MemberMetricsPolicy.PointsOf"/>). Unjudged (value null) without the gauge, with fewer days than judged
    /// and baseline need, or with a baseline below <see cref="AlertOptions.PointsLiabilityMinOutstanding"/>.
    /// </summary>
    /// <param name="regionId"><see cref="AlertRules.AllRegions"/> (<see cref="Observe"/> judges no region on this rule).</param>
    /// <param name="counters">The programme's day counters, oldest first, ending today (local day; today is not judged but its points are worked back).</param>
    /// <param name="outstandingNow">The live points-outstanding gauge, points; null when not read.</param>
    /// <param name="options">The alert options.</param>
    public static AlertObservation PointsLiability(string regionId, IReadOnlyList<DayCounters> counters, long? outstandingNow, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(options);
        var n = options.PointsLiabilityDays;
        var b = options.PointsLiabilityBaselineDays;
        var max = options.PointsLiabilityRiseMax;
        var result = new AlertObservation
        {
            Rule = AlertRules.PointsLiabilityJump,
            RegionId = regionId,
            Direction = AlertDirections.Above,
            Threshold = (double)max,
            Message = string.Create(CultureInfo.InvariantCulture, $"points outstanding not judged: fewer than {n + b} complete days or no gauge (rise ceiling +{max * 100:0.##}% over {n} days)"),
        };
        var complete = counters.Count - 1;
        if (outstandingNow is not { } now || complete < n + b)
        {
            return result;
        }

        var ends = new long[counters.Count];
        var after = 0L;
        for (var i = counters.Count - 1; i >= 0; i--)
        {
            ends[i] = now - after;
            var c = counters[i];
            after += c[MetricNames.PointsIssued] - c[MetricNames.PointsRedeemed] - c[MetricNames.PointsExpired] - c[MetricNames.PointsReversed] + c[MetricNames.PointsAdjusted];
        }

        var baselineFrom = complete - n - b;
        var sorted = ends[baselineFrom..(complete - n)].Order().ToArray();
        var mid = sorted.Length / 2;
        var baseline = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + (decimal)sorted[mid]) / 2;
        var last = ends[complete - 1];
        var judged = $"{counters[complete - n].Day:yyyy-MM-dd}–{counters[complete - 1].Day:yyyy-MM-dd}";
        var baseDays = $"{counters[baselineFrom].Day:yyyy-MM-dd}–{counters[complete - n - 1].Day:yyyy-MM-dd}";
        if (baseline < options.PointsLiabilityMinOutstanding)
        {
            return result with
            {
                Message = string.Create(CultureInfo.InvariantCulture, $"points outstanding not judged: baseline {baseline:0.#} points (median of {baseDays}) below the {options.PointsLiabilityMinOutstanding} needed"),
            };
        }

        var rise = (last - baseline) / baseline;
        var breached = rise > max;
        return result with
        {
            Breached = breached,
            Value = (double)Math.Round(rise, 4),
            Window = new AlertWindow
            {
                From = counters[complete - n].Day,
                To = counters[complete - 1].Day,
                Days = n,
                Threshold = (double)max,
                BaselineFrom = counters[baselineFrom].Day,
                BaselineTo = counters[complete - n - 1].Day,
            },
            Message = string.Create(
                CultureInfo.InvariantCulture,
                $"points outstanding {last} at the end of {counters[complete - 1].Day:yyyy-MM-dd}, {(rise >= 0 ? "+" : "")}{rise * 100:0.##}% against the median {baseline:0.#} of {baseDays} (ceiling +{max * 100:0.##}% over the {n} days {judged}): {(breached ? "check earn rules, bonus campaigns and manual adjustments of those days for points issued in error, and tell finance the liability grew" : "within the ceiling")}"),
        };
    }

    /// <summary>
    /// The unrounded ratio a threshold is judged on: the reported value is rounded to 4 decimals, and 3,001 complaints
    /// in 100,000 active member-days (3.001%) are above a 3% ceiling even though they show as 0.03.
    /// </summary>
    private static double Exact(long numerator, long denominator) => (double)numerator / denominator;

    /// <summary>The median of the values present, null when fewer than <paramref name="minCount"/> are.</summary>
    public static double? Median(IEnumerable<double?> values, int minCount)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (sorted.Count == 0 || sorted.Count < minCount)
        {
            return null;
        }

        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The first and last of <paramref name="days"/> (<c>2026-11-28–2026-12-04</c>), <c>no days</c> when empty.</summary>
    private static string Days(IEnumerable<DateOnly> days)
    {
        var list = days.ToList();
        return list.Count == 0 ? "no days" : string.Create(CultureInfo.InvariantCulture, $"{list[0]:yyyy-MM-dd}–{list[^1]:yyyy-MM-dd}");
    }

    private static string Pct(double? v) => v is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{v.Value * 100:0.##}%");
}
