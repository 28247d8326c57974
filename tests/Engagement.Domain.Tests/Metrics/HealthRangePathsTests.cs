using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <see cref="HealthRange.ReadAsync"/> reads a range near today and its look-ahead in one read, and any other range
/// apart from the days after it (<see cref="HealthMetrics.MembersAddedAfterAsync"/>). Both must give the same days,
/// members and series (CONTRACT.md §5 <c>members</c>): each case runs the range's read and the two-read path over the
/// same fake reader and compares them.
/// </summary>
public class HealthRangePathsTests
{
    /// <summary>2026-12-01 20:30 in Shanghai (east, the programme's zone), 2026-12-02 01:30 in Auckland (nz).</summary>
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T12:30:00Z", CultureInfo.InvariantCulture);

    private static readonly MetricsOptions Zones = new() { RegionTimeZones = new(StringComparer.Ordinal) { ["nz"] = "Pacific/Auckland" } };

    /// <summary>The latest local day (Auckland's 12-02) plus the clock-skew day: the look-ahead runs through 12-03.</summary>
    private static readonly DateOnly Through = new(2026, 12, 3);

    public static TheoryData<string, string?, DateOnly, DateOnly, int> Cases => new()
    {
        // nz is on 12-02: its look-ahead is 12-03 alone, where members moved in and out of it.
        { "nz, moves on the look-ahead day", "nz", new DateOnly(2026, 11, 3), new DateOnly(2026, 12, 2), 1 },
        // east is on 12-01, behind the latest day: a look-ahead of two days (12-02 with moves, 12-03).
        { "east, two look-ahead days", "east", new DateOnly(2026, 11, 2), new DateOnly(2026, 12, 1), 1 },
        { "programme, two look-ahead days", null, new DateOnly(2026, 11, 2), new DateOnly(2026, 12, 1), 1 },
        // The range and its look-ahead span exactly 400 days (Through - from = 399): still one read.
        { "east, 400 days with the look-ahead", "east", Through.AddDays(-399), new DateOnly(2026, 12, 1), 1 },
        // 401 days (Through - from = 400): the range, then its look-ahead apart.
        { "east, 401 days with the look-ahead", "east", Through.AddDays(-400), new DateOnly(2026, 12, 1), 2 },
        { "nz, 401 days with the look-ahead", "nz", Through.AddDays(-400), new DateOnly(2026, 12, 2), 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheOneReadAndTheRangeThenItsLookAheadGiveTheSameDaysMembersAndSeries(string name, string? regionId, DateOnly from, DateOnly to, int reads)
    {
        var reader = new MovingDays();
        var today = Zones.CurrentDay(Now, regionId);

        var range = await HealthRange.ReadAsync(reader, Zones, regionId, from, to, Now);
        var readsOfTheRange = reader.Reads.Count;
        var days = await reader.DaysAsync(regionId, from, to);
        var added = await HealthMetrics.MembersAddedAfterAsync(Zones, to, Now, regionId, (start, end) => reader.DaysAsync(regionId, start, end));
        var members = await reader.MembersAsync(regionId);
        var series = HealthMetrics.Series(days, members, added, today, regionId);

        Assert.True(reads == readsOfTheRange, $"{name}: {readsOfTheRange} reads");
        Assert.Equal(days.Select(d => d.Day), range.Days.Select(d => d.Day));
        Assert.Equal(Json(days), Json(range.Days));
        Assert.Equal(members, range.MembersNow);
        Assert.Equal(added, range.AddedAfter);
        Assert.Equal(Json(series), Json(range.Series(today)));
        Assert.NotEqual(0, added);
        Assert.Equal(to.DayNumber - from.DayNumber + 1, series.Count);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>
    /// Joins every day (more in nz), and members moving between east and nz on the look-ahead days: 2 into nz and 1 out
    /// of it on 12-03, 3 into east and 1 out of it on 12-02 (the programme counts joins only). Takes reads of at most
    /// <see cref="HealthMetrics.MaxReadDays"/>, as the interface allows, and records the spans read.
    /// </summary>
    private sealed class MovingDays : IProgrammeDaysReader
    {
        public List<(DateOnly From, DateOnly To)> Reads { get; } = [];

        public Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(to.DayNumber - from.DayNumber, HealthMetrics.MaxReadDays);
            Reads.Add((from, to));
            return Task.FromResult<IReadOnlyList<DayCounters>>(Enumerable.Range(0, to.DayNumber - from.DayNumber + 1)
                .Select(i => Day(regionId, from.AddDays(i)))
                .ToList());
        }

        public Task<long> MembersAsync(string? regionId) => Task.FromResult(regionId switch { "east" => 5_000L, "nz" => 3_000L, _ => 8_000L });

        private static DayCounters Day(string? regionId, DateOnly day)
        {
            var east = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = 1 + (day.Day % 3), [MetricNames.Dau] = 10 };
            var nz = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = 2 + (day.Day % 2), [MetricNames.Dau] = 6 };
            if (day == new DateOnly(2026, 12, 2))
            {
                (east[MetricNames.MovedIn], east[MetricNames.MovedOut], nz[MetricNames.MovedIn], nz[MetricNames.MovedOut]) = (3, 1, 1, 3);
            }

            if (day == new DateOnly(2026, 12, 3))
            {
                (nz[MetricNames.MovedIn], nz[MetricNames.MovedOut], east[MetricNames.MovedIn], east[MetricNames.MovedOut]) = (2, 1, 1, 2);
            }

            var counters = regionId switch
            {
                "east" => east,
                "nz" => nz,
                _ => new Dictionary<string, long>(StringComparer.Ordinal)
                {
                    [MetricNames.NewMembers] = east[MetricNames.NewMembers] + nz[MetricNames.NewMembers],
                    [MetricNames.Dau] = 14,
                },
            };
            return new DayCounters { Day = day, Counters = counters };
        }
    }
}
