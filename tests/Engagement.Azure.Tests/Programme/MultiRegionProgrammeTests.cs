using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// CONTRACT.md §5 distinct counts per region through member grains and the aggregators on Azurite: a chain's member
/// who shops in a Shanghai store and then a Beijing store in the same week counts in both regions' dau/wau/mau and in
/// the programme's once (until 2026-12-04 Beijing missed it: one set of counted days served every region).
/// </summary>
public sealed class MultiRegionProgrammeTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private static readonly DateOnly Day0 = new(2026, 11, 22);
    private static readonly DateOnly Day2 = Day0.AddDays(2);

    [Fact]
    public async Task AMemberWhoShopsInTwoRegionsInAWeekCountsInBothAndOnceInTheProgramme()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var both = "mr-both-" + suffix;
        var one = "mr-one-" + suffix;
        await ApplyAsync(silo, both, "e1", EventTypes.Purchase, Day0, "shanghai");
        await ApplyAsync(silo, one, "e1", EventTypes.Login, Day0, "shanghai");
        await ApplyAsync(silo, both, "e2", EventTypes.Purchase, Day2, "beijing");

        // (dau, wau, mau, purchasers) of Day0 and Day2.
        await ExpectAsync(silo, "shanghai", [(2, 2, 2, 1), (0, 2, 2, 0)]);
        await ExpectAsync(silo, "beijing", [(0, 0, 0, 0), (1, 1, 1, 1)]);
        await ExpectAsync(silo, null, [(2, 2, 2, 1), (1, 2, 2, 1)]);
        var programme = await silo.Reader.GetDaysAsync(null, Day2, Day2);
        Assert.Equal(1, programme[0].Counters.GetValueOrDefault(MetricNames.Purchasers30));
        // The repeats (dup:…) only make the total; the reader does not show them.
        Assert.DoesNotContain(programme[0].Counters.Keys, k => k.StartsWith("dup:", StringComparison.Ordinal));
    }

    private static async Task ApplyAsync(ProgrammeSilo silo, string member, string id, string type, DateOnly day, string region)
    {
        var result = await silo.Grains.GetGrain<IMemberGrain>(member).ApplyEventAsync(new EngagementEvent
        {
            EventId = $"{member}-{id}", Type = type, MemberId = member, OccurredAt = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), Shanghai),
            RegionId = region, StoreId = "S-" + region, OrderId = type == EventTypes.Purchase ? $"O-{id}" : null, Amount = type == EventTypes.Purchase ? 100.00m : null,
        });
        Assert.Equal(ApplyStatus.Applied, result.Status);
    }

    private static Task<IReadOnlyList<CounterDay>> ExpectAsync(ProgrammeSilo silo, string? region, (long Dau, long Wau, long Mau, long Purchasers)[] expected) =>
        Streaming.Eventually.ReturnsAsync(
            () => silo.Reader.GetDaysAsync(region, Day0, Day2),
            days => days.Count == 3 && new[] { days[0], days[2] }.Select(Of).SequenceEqual(expected),
            TimeSpan.FromSeconds(30),
            $"{region ?? "programme"}: (dau, wau, mau, purchasers) of {Day0} and {Day2} are {string.Join(", ", expected)}");

    private static (long, long, long, long) Of(CounterDay d) => (
        d.Counters.GetValueOrDefault(MetricNames.Dau), d.Counters.GetValueOrDefault(MetricNames.Wau),
        d.Counters.GetValueOrDefault(MetricNames.Mau), d.Counters.GetValueOrDefault(MetricNames.Purchasers));
}
