using Engagement.Contracts.Offers;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Programme;

/// <summary>§5 health over a range: each local day and the range's summary (<see cref="HealthMetrics.Summary"/>).</summary>
public sealed record HealthReport
{
    /// <summary>The region, or null for the whole programme.</summary>
    public string? RegionId { get; init; }

    public DateOnly From { get; init; }

    /// <summary>Inclusive.</summary>
    public DateOnly To { get; init; }

    public IReadOnlyList<HealthDay> Days { get; init; } = [];

    public HealthDay Summary { get; init; } = new();

    /// <summary>
    /// The live members gauge of the region (summed over every region for the whole programme) when the report was read,
    /// members: the count now. <see cref="Summary"/>'s <c>Members</c> is the count at the end of <see cref="To"/>, worked
    /// back by the members gained after it (CONTRACT.md §5 <c>members</c>), and leaves out those who joined on a later
    /// local day, e.g. in a zone already on the next day (Pacific/Auckland at 20:00 in Shanghai) even when <see cref="To"/>
    /// is today in the programme's zone.
    /// </summary>
    public long MembersNow { get; init; }
}

/// <summary>§5 points economy over a range.</summary>
public sealed record PointsReport
{
    public string? RegionId { get; init; }

    public DateOnly From { get; init; }

    public DateOnly To { get; init; }

    public PointsEconomyView Economy { get; init; } = new();
}

/// <summary>§5 funnel over a range: distinct members at each step per day, and member-day sums.</summary>
public sealed record FunnelReport
{
    public string? RegionId { get; init; }

    public DateOnly From { get; init; }

    public DateOnly To { get; init; }

    public IReadOnlyList<FunnelRow> Days { get; init; } = [];

    public FunnelDay Total { get; init; } = new();
}

/// <summary>One day of the funnel.</summary>
public sealed record FunnelRow(DateOnly Day, long Login, long Browse, long AddToCart, long Purchase);

/// <summary>Member counts by dimension (<c>GET /segments</c>), per region and in total.</summary>
public sealed record SegmentsReport
{
    public IReadOnlyDictionary<string, SegmentCounts> Regions { get; init; } = new Dictionary<string, SegmentCounts>(StringComparer.Ordinal);

    public SegmentCounts Total { get; init; } = new();

    /// <summary>
    /// The counts of one region (<paramref name="regionId"/>, as the API reads it), or <see cref="Total"/> for null (the
    /// whole programme); a region with no members counted (unknown, or none yet) gets empty counts, never the total.
    /// </summary>
    public SegmentCounts Of(string? regionId) =>
        regionId is null ? Total : Regions.GetValueOrDefault(regionId) ?? new SegmentCounts();
}

/// <summary>Live gauges of one region (or all).</summary>
public sealed record SegmentCounts
{
    public long Members { get; init; }

    /// <summary>Points held, net of members' debts, points.</summary>
    public long PointsOutstanding { get; init; }

    /// <summary>Points owed by members with a negative balance, points (the positive balances are <see cref="PointsOutstanding"/> + this).</summary>
    public long PointsDebt { get; init; }

    public IReadOnlyDictionary<string, long> Tiers { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> RfmSegments { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> ValueClasses { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> LifecycleStages { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}

/// <summary>
/// Builds the programme views from the merged aggregators (<see cref="IProgrammeMetricsGrain"/>, their days through
/// <see cref="IProgrammeDaysReader"/>, which the host registers with the programme's options) with the domain's
/// definitions; shared by the HTTP API and the console.
/// </summary>
public sealed class ProgrammeViews(IGrainFactory grains, IProgrammeDaysReader days, IOptions<MetricsOptions> metrics, IOptions<AlertOptions> alerts)
{
    private IProgrammeMetricsGrain Reader => grains.GetGrain<IProgrammeMetricsGrain>(0);

    /// <summary>
    /// The local day of <paramref name="now"/> in the region's zone (the programme's <c>TimeZone</c> for all regions), as
    /// <c>GET /reports/win-back</c> and the operations page count their days: the default last day of a range (CONTRACT.md
    /// §5), which may be asked to end as late as <see cref="LatestDay"/>.
    /// </summary>
    public DateOnly Today(DateTimeOffset now, string? regionId) => metrics.Value.LocalDay(now, regionId ?? "");

    /// <summary>
    /// The first local day of <paramref name="now"/> that is not complete (<see cref="MetricsOptions.CurrentDay"/>): the
    /// region's own day, and for the whole programme (null) the earliest local day among its configured zones, so no
    /// region is still on a day the programme's cohort figures take as over. Not the default end of a range (<see cref="Today"/>).
    /// </summary>
    public DateOnly CurrentDay(DateTimeOffset now, string? regionId) => metrics.Value.CurrentDay(now, regionId);

    /// <summary>
    /// The latest local day of <paramref name="now"/> a range may end on (<see cref="MetricsOptions.LatestDay(DateTimeOffset, string?)"/>):
    /// the region's own day, and for the whole programme (null) the latest local day among its configured zones.
    /// </summary>
    public DateOnly LatestDay(DateTimeOffset now, string? regionId) => metrics.Value.LatestDay(now, regionId);

    /// <summary>
    /// Health of each day in [from, to] and the summary at <paramref name="now"/>. The live member count is worked back
    /// by the members who joined (or moved in, less those who moved out) after <paramref name="to"/>, as the alert rules
    /// count it (one read, <see cref="HealthRange.ReadAsync"/>, so a range long before today is answered too); the
    /// cohort figures wait for the days complete before <see cref="CurrentDay"/>.
    /// </summary>
    public async Task<HealthReport> HealthAsync(string? regionId, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        var range = await HealthRange.ReadAsync(days, metrics.Value, regionId, from, to, now);
        var complete = CurrentDay(now, regionId);
        var series = range.Series(complete);
        return new HealthReport { RegionId = regionId, From = from, To = to, Days = series, Summary = HealthMetrics.Summary(range.Days, series, complete, metrics.Value.PeriodCountsSince), MembersNow = range.MembersNow };
    }

    /// <summary>
    /// The points economy of [from, to] with the 90-day redemption and breakage rates ending at <paramref name="to"/>
    /// (their window named in <see cref="PointsEconomyView.RateWindowFrom"/> … <see cref="PointsEconomyView.RateWindowTo"/>); the outstanding points
    /// (live) are valued at the point value in force at <paramref name="now"/> (<see cref="IPointValueGrain"/>, which
    /// finance may move within ±20% of the anchor), not the configured starting value (CONTRACT.md §5 <c>points</c>).
    /// </summary>
    public async Task<PointsReport> PointsAsync(string? regionId, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        var windowFrom = to.AddDays(-(PointsEconomy.RateWindowDays - 1));
        var start = windowFrom < from ? windowFrom : from;
        var all = await days.DaysAsync(regionId, start, to);
        var gauges = (await Reader.GetGaugesAsync(regionId)).Values.ToList();
        var outstanding = gauges.Sum(g => g.GetValueOrDefault(GaugeNames.PointsOutstanding));
        var economy = PointsEconomy.Of(
            all.Where(d => d.Day >= from).ToList(),
            all.Where(d => d.Day >= windowFrom).ToList(),
            outstanding,
            await grains.GetGrain<IPointValueGrain>(0).ValueAtAsync(now),
            alerts.Value.PointsBandLow,
            alerts.Value.PointsBandHigh,
            gauges.Sum(g => g.GetValueOrDefault(GaugeNames.PointsDebt)));
        return new PointsReport { RegionId = regionId, From = from, To = to, Economy = economy with { RateWindowFrom = windowFrom, RateWindowTo = to } };
    }

    /// <summary>The funnel of [from, to].</summary>
    public async Task<FunnelReport> FunnelAsync(string? regionId, DateOnly from, DateOnly to)
    {
        var rows = (await days.DaysAsync(regionId, from, to))
            .Select(c => new FunnelRow(c.Day, c[MetricNames.FunnelLogin], c[MetricNames.FunnelBrowse], c[MetricNames.FunnelCart], c[MetricNames.Purchasers]))
            .ToList();
        return new FunnelReport
        {
            RegionId = regionId,
            From = from,
            To = to,
            Days = rows,
            Total = new FunnelDay { Login = rows.Sum(r => r.Login), Browse = rows.Sum(r => r.Browse), AddToCart = rows.Sum(r => r.AddToCart), Purchase = rows.Sum(r => r.Purchase) },
        };
    }

    /// <summary>Live segment counts per region and in total.</summary>
    public async Task<SegmentsReport> SegmentsAsync(string? regionId)
    {
        var gauges = await Reader.GetGaugesAsync(regionId);
        var regions = gauges.ToDictionary(kv => kv.Key, kv => Segments(kv.Value), StringComparer.Ordinal);
        var total = Segments(DayCounters.Sum(default, gauges.Values.Select(g => new DayCounters { Counters = g })).Counters);
        return new SegmentsReport { Regions = regions, Total = total };
    }

    /// <summary>The alerts the alert book last refused to raise for want of room (<see cref="IAlertsGrain.GetRaisesRefusedAsync"/>).</summary>
    public Task<AlertRaisesRefusedView> AlertRaisesRefusedAsync() => grains.GetGrain<IAlertsGrain>(0).GetRaisesRefusedAsync();

    /// <summary>Alerts newest first.</summary>
    public Task<IReadOnlyList<AlertView>> AlertsAsync(string? state, int limit) => grains.GetGrain<IAlertsGrain>(0).GetAsync(state, limit);

    /// <summary>
    /// Alerts newest first of <paramref name="rule"/> (null: every rule) in <paramref name="regionId"/> (null: every region;
    /// <c>all</c>: programme-wide), filtered by the alerts grain in its own query (<see cref="IAlertsGrain.FindAsync"/>),
    /// at most <paramref name="limit"/>.
    /// </summary>
    public Task<IReadOnlyList<AlertView>> AlertsAsync(string? state, string? rule, string? regionId, int limit) =>
        grains.GetGrain<IAlertsGrain>(0).FindAsync(state, rule, regionId, limit);

    private static SegmentCounts Segments(IReadOnlyDictionary<string, long> g)
    {
        IReadOnlyDictionary<string, long> With(string prefix) => g
            .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value != 0 && kv.Key.Length > prefix.Length)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        return new SegmentCounts
        {
            Members = g.GetValueOrDefault(GaugeNames.Members),
            PointsOutstanding = g.GetValueOrDefault(GaugeNames.PointsOutstanding),
            PointsDebt = g.GetValueOrDefault(GaugeNames.PointsDebt),
            Tiers = With(GaugeNames.TierPrefix),
            RfmSegments = With(GaugeNames.SegmentPrefix),
            ValueClasses = With(GaugeNames.ValueClassPrefix),
            LifecycleStages = With(GaugeNames.StagePrefix),
        };
    }
}

/// <summary>Registers <see cref="ProgrammeViews"/> and the options it reads.</summary>
public static class ProgrammeViewsHosting
{
    /// <summary>
    /// Binds <c>Engagement:Metrics</c> and <c>Engagement:Alerts</c> (the silo validates them) and adds the views. The
    /// views read their days through an <see cref="IProgrammeDaysReader"/>, which this does not add (the Api references no
    /// grains): the silo's <c>AddEngagementProgramme</c>, or <c>AddEngagementProgrammeOptions</c> in a host beside an
    /// Orleans client, registers it. Without one the host fails at start with an <see cref="OptionsValidationException"/>
    /// naming it, not with a 500 on the first programme request.
    /// </summary>
    public static IServiceCollection AddEngagementProgrammeViews(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName));
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName));
        services.AddOptions<ProgramOptions>();
        services.AddOptions<ProgrammeViewsWiring>()
            .Validate<IServiceProviderIsService>(
                (_, registered) => registered.IsService(typeof(IProgrammeDaysReader)),
                "The programme views need an IProgrammeDaysReader: register it with AddEngagementProgramme (silo) or AddEngagementProgrammeOptions (Engagement.Grains.Programme).")
            .ValidateOnStart();
        services.TryAddSingleton<ProgrammeViews>();
        return services;
    }

    /// <summary>Nothing to bind: the start-up check that the views' reader is registered hangs on it.</summary>
    private sealed class ProgrammeViewsWiring;
}
