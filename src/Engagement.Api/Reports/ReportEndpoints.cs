using Engagement.Api.Hosting;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Reports;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Reports;

/// <summary>Programme-wide reports for loyalty operations.</summary>
public static class ReportEndpoints
{
    /// <summary>A report spans at most this many days, so one request never reads years of journal.</summary>
    public const int MaxDays = 366;

    /// <summary>The earliest day a report may name (nothing is kept before it; a default range reaches 29 days back).</summary>
    public static readonly DateOnly EarliestDay = new(2000, 1, 1);

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/reports/winback", GetWinBackAsync)
            .RequireAuthorization(ApiRoles.ReadPolicy)
            .WithTags("reports")
            .WithSummary("Members entering each win-back level, won back per level, gone dormant, between from and to (the programme's local days, inclusive)");
        return routes;
    }

    private static async Task<IResult> GetWinBackAsync(HttpContext context, IGrainFactory grains, IOptions<MetricsOptions> metrics, string? from, string? to)
    {
        var errors = new FieldErrors();
        var today = metrics.Value.LocalDay(EngineClock.Of(context.RequestServices).GetUtcNow(), MetricsOptions.DefaultRegion);
        var toDay = ParseDay(to, "to", today, errors);
        var fromDay = ParseDay(from, "from", DateOnly.FromDayNumber(Math.Max(EarliestDay.DayNumber, toDay.DayNumber - 29)), errors);
        if (toDay < EarliestDay)
        {
            errors.Add("to", $"must not be before {EarliestDay:yyyy-MM-dd}");
        }

        if (fromDay < EarliestDay)
        {
            errors.Add("from", $"must not be before {EarliestDay:yyyy-MM-dd}");
        }

        // A day not yet begun has no journal rows; 9999-12-31 would also overflow the journal's day arithmetic.
        DayRanges.CheckOrder(errors, fromDay, toDay, !string.IsNullOrEmpty(to), today, $"{today:yyyy-MM-dd} local");

        if (!errors.Any && toDay.DayNumber - fromDay.DayNumber >= MaxDays)
        {
            errors.Add("from", $"a report spans at most {MaxDays} days");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return Results.Ok(await grains.GetGrain<IReportsGrain>(0).GetWinBackReportAsync(fromDay, toDay));
    }

    private static DateOnly ParseDay(string? text, string field, DateOnly fallback, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add(field, "must be a date YYYY-MM-DD");
        return fallback;
    }
}
