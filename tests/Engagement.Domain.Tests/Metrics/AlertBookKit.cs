using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// Alert books as the alerts grain builds them: every rule breached by <see cref="AlertPolicy.Observe"/> on real series
/// (the messages, windows and directions it writes), evaluated, written and published as the grain does.
/// </summary>
internal static class AlertBookKit
{
    public const int HistoryLimit = 500; // AlertOptions' default
    public const int ProviderCharacters = 15 * 32 * 1024; // AzureTableGrainStorage: 15 string properties of 32K characters
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
    public static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web); // as the alerts grain stores it
    private static readonly DateOnly Today = new(2026, 11, 30);
    private static readonly AlertOptions Options = new() { ActivityBaseline = 0.05 };

    /// <summary>Region <paramref name="i"/> with an id of <paramref name="length"/> characters (<c>region-000</c> at 10).</summary>
    public static string Region(int i, int length = 10) =>
        ("region-" + new string('x', Math.Max(0, length - 10)) + i.ToString("D3", CultureInfo.InvariantCulture))[..length];

    /// <summary>The regions an evaluation judges at most: 256 kept and <c>_other</c> (ProgrammeRegionsGrain.MaxRegions).</summary>
    public static IReadOnlyList<string> AllRegions(int length = 10) => [.. Enumerable.Range(0, 256).Select(i => Region(i, length)), "_other"];

    /// <summary>
    /// Every rule of the programme (5, <c>points.liability-jump</c> among them) then of each region (4) judged breached
    /// (<paramref name="breached"/>) or back within its threshold, as one evaluation observes them.
    /// </summary>
    public static List<AlertObservation> Everywhere(IReadOnlyList<string> regions, bool breached) =>
        [.. Observe(AlertRules.AllRegions, breached), Liability(breached), .. regions.SelectMany(r => Observe(r, breached))];

    private static IEnumerable<AlertObservation> Observe(string region, bool breached)
    {
        var days = Options.LookbackDays;
        var series = Enumerable.Range(0, days).Select(i => new HealthDay { Day = Today.AddDays(i - days + 1), ActiveShare = breached ? 0.0123 : 0.0612 }).ToList();
        var counters = Enumerable.Range(0, days).Select(i => new DayCounters
        {
            Day = Today.AddDays(i - days + 1),
            Counters = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                [MetricNames.CouponsIssued] = 1_000,
                [MetricNames.CouponsRedeemed] = breached ? 13 : 400,
                [MetricNames.Dau] = 1_000,
                [MetricNames.Complaints] = breached ? 57 : 3,
                [MetricNames.PointsIssued] = 100_000,
                [MetricNames.PointsRedeemed] = breached ? 1_234 : 30_000,
            },
        }).ToList();
        // The liability rule, unjudged here without the live gauge, is observed by Liability.
        return AlertPolicy.Observe(region, series, counters, Options).Where(o => o.Rule != AlertRules.PointsLiabilityJump);
    }

    private static AlertObservation Liability(bool breached) => new()
    {
        Rule = AlertRules.PointsLiabilityJump,
        RegionId = AlertRules.AllRegions,
        Breached = breached,
        Value = breached ? 0.2345 : 0.05,
        Threshold = 0.15,
        Direction = AlertDirections.Above,
        Window = new AlertWindow { From = new(2026, 11, 23), To = new(2026, 11, 29), Days = 7, Threshold = 0.15, BaselineFrom = new(2026, 10, 26), BaselineTo = new(2026, 11, 22) },
        Message = "points outstanding 12345678 at the end of 2026-11-29, +23.45% against the median 10000000 of 2026-10-26–2026-11-22 (ceiling +15% over the 7 days 2026-11-23–2026-11-29): check earn rules, bonus campaigns and manual adjustments of those days for points issued in error, and tell finance the liability grew",
    };

    public static int Size(AlertBookState book) => JsonSerializer.SerializeToUtf8Bytes(book, Stored).Length;

    public static AlertBookState PublishAll(AlertBookState book) => AlertBook.Published(book, book.Outbox.Select(r => r.MessageId).ToList());

    /// <summary>
    /// One evaluation as the alerts grain runs it: applied, written (each write's size recorded), published when the queue
    /// takes messages, and applied again while a change it refused only waited for the outbox to be published.
    /// </summary>
    public static (AlertBookState Book, IReadOnlyList<AlertRefusal> Refused, List<int> Writes) AsTheGrain(AlertBookState book, IReadOnlyList<AlertObservation> observations, DateTimeOffset now, bool queueUp = true, IReadOnlyCollection<string>? disabled = null)
    {
        var writes = new List<int>();
        while (true)
        {
            var evaluation = AlertBook.Evaluate(book, observations, now, HistoryLimit, disabled);
            writes.Add(Size(evaluation.State));
            book = evaluation.State;
            var published = queueUp && book.Outbox.Count > 0;
            if (published)
            {
                book = PublishAll(book);
                writes.Add(Size(book));
            }

            if (!published || !evaluation.Refused.Any(r => r.Waits))
            {
                return (book, evaluation.Refused, writes);
            }
        }
    }
}
