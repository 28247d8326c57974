using System.Globalization;
using Engagement.Api.Hosting;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;

namespace Engagement.Api.Programme;

/// <summary>
/// Programme health (CONTRACT.md §5, §4): <c>GET /programme/health</c>, <c>/programme/points</c>,
/// <c>/programme/funnel</c>, <c>/segments</c>, <c>/alerts</c> and <c>/alerts/refused</c> (every role reads),
/// <c>POST /alerts/evaluate</c> (admin).
/// Each GET answers JSON, or CSV with <c>format=csv</c>, but <c>/alerts/refused</c>, which answers JSON only (its
/// <c>format</c> is not read).
/// </summary>
public static class ProgrammeEndpoints
{
    /// <summary>A range spans at most this many local days (the days kept; the domain's <see cref="HealthMetrics.MaxReadDays"/>, one rule).</summary>
    public const int MaxDays = HealthMetrics.MaxReadDays;

    /// <summary>Default range: the 30 days ending today (<see cref="ProgrammeViews.Today"/>: the region's local day, the programme's <c>TimeZone</c>'s for all regions).</summary>
    public const int DefaultDays = 30;

    /// <summary>
    /// The earliest day a range may name: nothing is kept before it, and reading a range reaches up to 119 days
    /// before its start (the 90-day rate window, the 30-day windows), which near <see cref="DateOnly.MinValue"/>
    /// would not be a date at all.
    /// </summary>
    public static readonly DateOnly EarliestDay = new(2000, 1, 1);

    /// <summary>
    /// The header of <c>GET /alerts</c> (JSON and CSV) giving how many raises the alert book last refused for want of room
    /// (<see cref="AlertRaisesRefusedView.LastCount"/>; 0 while none): additive, the body keeps CONTRACT.md §5's shape.
    /// </summary>
    public const string RefusedHeader = "X-Alerts-Refused";

    /// <summary>Most alerts one read returns.</summary>
    public const int MaxAlerts = 1000;

    public static IEndpointRouteBuilder MapProgrammeEndpoints(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").WithTags("programme");
        api.MapGet("/programme/health", HealthAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("§5 metrics per local day and for the range: members, dau/wau/mau, activeShare, arpu, repurchase, retention, share and complaint rates, funnel (regionId, from, to: YYYY-MM-DD; format=csv)")
            .WithDescription("Each day is exact. The summary sums the days, so its purchasers are purchaser-days and shareRate and complaintRate "
                + "are per active member-day. Its arpu (revenue / distinct purchasers of the range) and repurchaseRate (distinct purchasers with "
                + "two or more purchases / distinct purchasers) are given where the distinct purchasers are counted: a range of one day, of the "
                + "30 days ending `to` (the default range: purchasers30, repurchaseRate30), or starting on the first local day of an ISO week "
                + "(Monday), calendar month, quarter or year and ending within it (week-to-date, month-to-date, a month, a quarter, a year) "
                + "and starting on or after Engagement:Metrics:PeriodCountsSince (members stored by an older build are missing from earlier periods); "
                + "null for any other range, as sums of days cannot tell a member buying on two days from two members. summary.distinctBasis "
                + "names which (day, trailing30, isoWeek, month, quarter, year; null when none), summary.distinctPurchasers the count, and "
                + "summary.distinctNullReason why arpu and repurchaseRate are null (noPurchasers, rangeNotCounted, beforePeriodCounts, daysMissing). "
                + "dau, wau, mau and members are the last day's.");
        api.MapGet("/programme/points", PointsAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("§5 points economy: issued, redeemed, expired, reversed per day; outstanding, liability in CNY, 90-day redemption rate against the band, breakage (regionId, from, to: YYYY-MM-DD; format=csv)")
            .WithDescription("economy.redemptionRate90d (redeemed90d / issued90d) and economy.breakageRate90d (expired90d / issued90d: points expired "
                + "over points issued, a fraction with 4 decimals, null when none were issued) are over the 90 local days economy.rateWindowFrom … "
                + "economy.rateWindowTo, ending `to`, whatever `from` is. Breakage is a flow ratio (the points expiring were mostly issued before "
                + "the window), and its expired points count once the member's daily tick removed the lot, so a window ending today understates it. "
                + "Bad parameters answer 400 problem details naming the field (regionId, from, to, format).");
        api.MapGet("/programme/funnel", FunnelAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("§5 funnel: distinct members with a login, browse, add_to_cart, purchase per day");
        api.MapGet("/segments", SegmentsAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Live member counts by tier, RFM segment, value class, lifecycle stage, per region and in total");
        api.MapGet("/alerts", AlertsAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("§5 alerts newest first (state=open|resolved, limit, format=csv)")
            .WithDescription("The body is CONTRACT.md §5's array, unchanged. Header " + RefusedHeader + ": how many alerts the alert book "
                + "last refused to raise for want of room (0 when every alert an evaluation wanted was raised); GET /alerts/refused says which.");
        api.MapGet("/alerts/refused", RefusedAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Alerts the alert book could not raise for want of room: refused, since, total, lastAt, lastCount, alerts (rule, regionId)");
        api.MapPost("/alerts/evaluate", EvaluateAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Evaluate every alert rule now; returns the open alerts");
        return routes;
    }

    private static Task<IResult> HealthAsync(HttpContext context, ProgrammeViews views, string? regionId, string? from, string? to, string? format) =>
        RangeAsync(context, views, regionId, from, to, format, async q =>
        {
            var report = await views.HealthAsync(q.RegionId, q.From, q.To, q.Now);
            return q.Csv ? Csv(ProgrammeCsv.Health(report), "programme-health") : Results.Ok(report);
        });

    private static Task<IResult> PointsAsync(HttpContext context, ProgrammeViews views, string? regionId, string? from, string? to, string? format) =>
        RangeAsync(context, views, regionId, from, to, format, async q =>
        {
            var report = await views.PointsAsync(q.RegionId, q.From, q.To, q.Now);
            return q.Csv ? Csv(ProgrammeCsv.Points(report), "programme-points") : Results.Ok(report);
        });

    private static Task<IResult> FunnelAsync(HttpContext context, ProgrammeViews views, string? regionId, string? from, string? to, string? format) =>
        RangeAsync(context, views, regionId, from, to, format, async q =>
        {
            var report = await views.FunnelAsync(q.RegionId, q.From, q.To);
            return q.Csv ? Csv(ProgrammeCsv.Funnel(report), "programme-funnel") : Results.Ok(report);
        });

    private static async Task<IResult> SegmentsAsync(ProgrammeViews views, string? regionId, string? format)
    {
        var errors = new FieldErrors();
        var region = Region(regionId, errors);
        var csv = Csv(format, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var report = await views.SegmentsAsync(region);
        return csv ? Csv(ProgrammeCsv.Segments(report), "segments") : Results.Ok(report);
    }

    private static async Task<IResult> AlertsAsync(HttpContext context, ProgrammeViews views, string? state, string? limit, string? format)
    {
        var errors = new FieldErrors();
        if (state is not (null or AlertStates.Open or AlertStates.Resolved))
        {
            errors.Add("state", "must be open or resolved");
        }

        var max = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxAlerts))
        {
            errors.Add("limit", $"must be a whole number 1–{MaxAlerts}");
        }

        var csv = Csv(format, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var alertsRead = views.AlertsAsync(state, max);
        var refusedRead = views.AlertRaisesRefusedAsync();
        var (alerts, refused) = (await alertsRead, await refusedRead);
        context.Response.Headers[RefusedHeader] = refused.LastCount.ToString(CultureInfo.InvariantCulture);
        return csv ? Csv(ProgrammeCsv.Alerts(alerts), "alerts") : Results.Ok(alerts);
    }

    private static async Task<IResult> RefusedAsync(ProgrammeViews views) => Results.Ok(await views.AlertRaisesRefusedAsync());

    private static async Task<IResult> EvaluateAsync(IGrainFactory grains) =>
        Results.Ok(await grains.GetGrain<IAlertsGrain>(0).EvaluateAsync());

    private sealed record RangeQuery(string? RegionId, DateOnly From, DateOnly To, DateTimeOffset Now, bool Csv);

    private static async Task<IResult> RangeAsync(HttpContext context, ProgrammeViews views, string? regionId, string? from, string? to, string? format, Func<RangeQuery, Task<IResult>> answer)
    {
        var errors = new FieldErrors();
        var region = Region(regionId, errors);
        var now = EngineClock.Of(context.RequestServices).GetUtcNow();
        // A range ends by default on today in the region's zone (for the programme, its TimeZone's, as the operations
        // page counts it) and may end as late as the latest local day (for the programme, a zone ahead's).
        var latest = views.LatestDay(now, region);
        var toDay = Day(to, "to", views.Today(now, region), errors);
        var fromDay = Day(from, "from", DateOnly.FromDayNumber(Math.Max(EarliestDay.DayNumber, toDay.DayNumber - (DefaultDays - 1))), errors);
        var csv = Csv(format, errors);
        if (toDay < EarliestDay)
        {
            errors.Add("to", $"must not be before {EarliestDay:yyyy-MM-dd}");
        }

        if (fromDay < EarliestDay)
        {
            errors.Add("from", $"must not be before {EarliestDay:yyyy-MM-dd}");
        }

        DayRanges.CheckOrder(errors, fromDay, toDay, !string.IsNullOrEmpty(to), latest, region is null
            ? $"{latest:yyyy-MM-dd}, the latest local day among the programme's time zones"
            : $"{latest:yyyy-MM-dd} local");

        if (!errors.Any && toDay.DayNumber - fromDay.DayNumber >= MaxDays)
        {
            errors.Add("from", $"a range spans at most {MaxDays} days");
        }

        return errors.Any ? errors.ToProblem() : await answer(new RangeQuery(region, fromDay, toDay, now, csv));
    }

    /// <summary>
    /// A <c>?regionId=</c> as an event's <c>regionId</c> is taken (<see cref="RegionIds.IsValid"/>: 1–64 code points, valid
    /// Unicode, CONTRACT.md §1), read as the region
    /// such an event counts under (<see cref="MetricsOptions.RegionOf"/>, the one normalisation): <c>East.Zone:1</c> reads
    /// <c>eastzone1</c>. Only <c>all</c> (the whole programme) is refused besides an id that breaks that rule.
    /// </summary>
    private static string? Region(string? regionId, FieldErrors errors)
    {
        if (regionId is null)
        {
            return null;
        }

        if (!RegionIds.IsValid(regionId))
        {
            errors.Add("regionId", $"must be {RegionIds.Rule}; it reads the region such an event counts under "
                + $"(lower case, only a–z 0–9 - _ kept, at most {MetricsOptions.MaxRegionLength})");
        }
        else if (string.Equals(regionId.Trim(), AlertRules.AllRegions, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("regionId", "'all' is the whole programme, not a region: leave regionId out for the programme's figures");
        }

        return MetricsOptions.RegionOf(regionId);
    }

    private static bool Csv(string? format, FieldErrors errors)
    {
        if (format is null or "json")
        {
            return false;
        }

        if (format == "csv")
        {
            return true;
        }

        errors.Add("format", "must be json or csv");
        return false;
    }

    private static DateOnly Day(string? text, string field, DateOnly fallback, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add(field, "must be a date YYYY-MM-DD");
        return fallback;
    }

    private static IResult Csv(string body, string name) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(body), ProgrammeCsv.ContentType, name + ".csv");
}
