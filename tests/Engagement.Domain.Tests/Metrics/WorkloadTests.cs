using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>A random workload (late events included) against an independent computation from the event list.</summary>
public class WorkloadTests
{
    private static readonly string[] Types = ["login", "browse", "add_to_cart", "purchase", "share", "complaint"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryDistinctCountOfEveryDayEqualsTheOneComputedFromTheEventList(int seed)
    {
        var random = new Random(seed);
        var events = new List<(string Member, DateOnly Day, string Type, int Order)>();
        for (var i = 0; i < 1500; i++)
        {
            events.Add(($"m{random.Next(40)}", D0.AddDays(random.Next(40)), Types[random.Next(Types.Length)], i));
        }

        // Arrival order: mostly by day, with one event in eight arriving up to 10 days late.
        var arrival = events.OrderBy(e => e.Day.DayNumber + (random.Next(8) == 0 ? 10 : 0)).ThenBy(e => e.Order).ToList();
        var kit = new MetricsKit();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in arrival)
        {
            var joined = seen.Add(e.Member);
            kit.Apply(T(e.Member, "e" + e.Order, e.Day, e.Type, joined: joined));
        }

        for (var day = D0; day < D0.AddDays(45); day = day.AddDays(1))
        {
            var d = day;
            long Distinct(Func<(string Member, DateOnly Day, string Type, int Order), bool> where) => events.Where(where).Select(e => e.Member).Distinct().LongCount();
            bool Active((string Member, DateOnly Day, string Type, int Order) e, int width) => e.Type != "complaint" && e.Day <= d && e.Day > d.AddDays(-width);
            Assert.Equal(Distinct(e => Active(e, 1)), kit.Day(d, MetricNames.Dau));
            Assert.Equal(Distinct(e => Active(e, 7)), kit.Day(d, MetricNames.Wau));
            Assert.Equal(Distinct(e => Active(e, 30)), kit.Day(d, MetricNames.Mau));
            Assert.Equal(Distinct(e => e.Day == d && e.Type == "purchase"), kit.Day(d, MetricNames.Purchasers));
            Assert.Equal(Distinct(e => e.Day == d && e.Type == "login"), kit.Day(d, MetricNames.FunnelLogin));
            Assert.Equal(Distinct(e => e.Day == d && e.Type == "add_to_cart"), kit.Day(d, MetricNames.FunnelCart));
            Assert.Equal(Distinct(e => e.Day == d && e.Type == "share"), kit.Day(d, MetricNames.Sharers));
            Assert.Equal(events.Count(e => e.Day == d && e.Type == "complaint"), kit.Day(d, MetricNames.Complaints));
            var purchases30 = events.Where(e => e.Type == "purchase" && e.Day <= d && e.Day > d.AddDays(-30)).GroupBy(e => e.Member).ToList();
            Assert.Equal(purchases30.Count, kit.Day(d, MetricNames.Purchasers30));
            Assert.Equal(purchases30.Count(g => g.Count() >= 2), kit.Day(d, MetricNames.Repurchasers30));
            var byDay = events.Where(e => e.Type == "purchase" && e.Day == d).GroupBy(e => e.Member).ToList();
            Assert.Equal(byDay.Count(g => g.Count() >= 2), kit.Day(d, MetricNames.Repurchasers));
        }
    }
}
