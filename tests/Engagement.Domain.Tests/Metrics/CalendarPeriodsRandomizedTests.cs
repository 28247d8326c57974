using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The calendar-period counts (<see cref="PeriodCounts"/>, CONTRACT.md §5 <c>arpu</c>, <c>repurchaseRate</c>) against a
/// brute-force distinct count: random purchases (seeded, so every run is the same) of 20 members over 6 regions, in a
/// shuffled arrival order (late purchases, ones that move only a member's second purchase of a period, the same day in
/// two regions). Each period's running total from its first day must equal the distinct purchasers (repurchasers) of
/// those days programme-wide; per region it may be lower (past 4 regions a member forgets one) but never higher, never
/// negative; repurchasers never exceed purchasers. The days (2027-01-01 … 04-30) keep every period's first day inside
/// each member's 448-day window, whose earlier periods are left out by design.
/// </summary>
public sealed class CalendarPeriodsRandomizedTests
{
    private static readonly DateOnly First = new(2027, 1, 1);

    private static readonly DateOnly Last = new(2027, 4, 30);

    private static readonly string[] Regions = ["r1", "r2", "r3", "r4", "r5", "r6"];

    [Theory]
    [InlineData(20261205)]
    [InlineData(7)]
    public void EveryPeriodsRunningTotalMatchesABruteForceDistinctCount(int seed)
    {
        var random = new Random(seed);
        var purchases = Generate(random);
        var kit = new MetricsKit();
        var applied = new List<Purchase>();
        var region = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < purchases.Count; i++)
        {
            var p = purchases[i];
            var joined = !region.TryGetValue(p.Member, out var before);
            kit.Apply(T(p.Member, $"e{i}", p.Day, "purchase", joined: joined, first: joined, revenue: 10m, before: joined ? null : Seg(before!), after: Seg(p.Region)));
            region[p.Member] = p.Region;
            applied.Add(p);
            if (i % 40 == 39 || i == purchases.Count - 1)
            {
                Check(kit, applied, $"seed {seed}, after {i + 1} of {purchases.Count} arrivals");
            }
        }
    }

    /// <summary>
    /// Up to 8 purchases per member on random days, each in one of its 3 favourite regions or any region; a tenth bought
    /// a second time that day in another region; and per member one late pair: a purchase between its first two of a
    /// month, arriving after both (it moves the second purchase only). Then shuffled: arrival is not day order.
    /// </summary>
    private static List<Purchase> Generate(Random random)
    {
        var list = new List<Purchase>();
        var span = Last.DayNumber - First.DayNumber + 1;
        for (var m = 0; m < 20; m++)
        {
            var member = $"m{m}";
            var favourites = Enumerable.Range(0, 3).Select(_ => Regions[random.Next(Regions.Length)]).ToArray();
            string Pick() => random.Next(4) == 0 ? Regions[random.Next(Regions.Length)] : favourites[random.Next(favourites.Length)];
            for (var n = random.Next(1, 9); n > 0; n--)
            {
                var day = First.AddDays(random.Next(span));
                var where = Pick();
                list.Add(new(member, day, where));
                if (random.Next(10) == 0)
                {
                    list.Add(new(member, day, Regions[(Array.IndexOf(Regions, where) + 1 + random.Next(Regions.Length - 1)) % Regions.Length]));
                }
            }
        }

        var shuffled = list.OrderBy(_ => random.Next()).ToList();

        // Second-purchase-only moves: the 1st and 20th of a month arrive, then the 10th (same region).
        for (var m = 20; m < 24; m++)
        {
            var month = new DateOnly(2027, 1 + random.Next(4), 1);
            var where = Regions[random.Next(Regions.Length)];
            shuffled.Insert(random.Next(shuffled.Count + 1), new($"m{m}", month, where));
            shuffled.Add(new($"m{m}", month.AddDays(19), where));
            shuffled.Add(new($"m{m}", month.AddDays(9), where));
        }

        return shuffled;
    }

    private static void Check(MetricsKit kit, List<Purchase> applied, string when)
    {
        var programme = kit.Range(First, Last);
        var regions = Regions.ToDictionary(r => r, r => kit.RegionRange(r, First, Last), StringComparer.Ordinal);
        foreach (var kind in CalendarPeriods.LargestFirst)
        {
            for (var start = CalendarPeriods.Start(kind, First); start <= Last; start = CalendarPeriods.End(kind, start).AddDays(1))
            {
                var end = CalendarPeriods.End(kind, start);
                var (purchasers, repurchasers) = CalendarPeriods.Counters(kind);
                long total = 0, again = 0;
                var totals = Regions.ToDictionary(r => r, _ => (Buyers: 0L, Again: 0L), StringComparer.Ordinal);
                for (var day = start < First ? First : start; day <= end && day <= Last; day = day.AddDays(1))
                {
                    var at = day.DayNumber - First.DayNumber;
                    total += programme[at][purchasers];
                    again += programme[at][repurchasers];
                    var label = $"{when}: {CalendarPeriods.NameOf(kind)} from {start:yyyy-MM-dd} through {day:yyyy-MM-dd}";
                    Assert.True(Truth(applied, null, start, day) == (total, again), $"{label}: programme counts ({total}, {again}), truth {Truth(applied, null, start, day)}");
                    foreach (var region in Regions)
                    {
                        var (buyers, twice) = totals[region];
                        totals[region] = (buyers + regions[region][at][purchasers], twice + regions[region][at][repurchasers]);
                        var (b, t) = totals[region];
                        var (trueBuyers, trueTwice) = Truth(applied, region, start, day);
                        Assert.True(b >= 0 && t >= 0 && t <= b && b <= trueBuyers && t <= trueTwice, $"{label}: region {region} counts ({b}, {t}), truth ({trueBuyers}, {trueTwice})");
                    }
                }
            }
        }
    }

    /// <summary>The members with at least one (two) purchases in [<paramref name="from"/>, <paramref name="to"/>], in <paramref name="region"/> or anywhere (null).</summary>
    private static (long Purchasers, long Repurchasers) Truth(List<Purchase> applied, string? region, DateOnly from, DateOnly to)
    {
        var counts = applied.Where(p => p.Day >= from && p.Day <= to && (region is null || p.Region == region)).GroupBy(p => p.Member).Select(g => g.Count()).ToList();
        return (counts.Count, counts.Count(c => c >= 2));
    }

    private sealed record Purchase(string Member, DateOnly Day, string Region);
}
