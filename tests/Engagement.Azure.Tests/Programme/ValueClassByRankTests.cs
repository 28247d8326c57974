using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>Value class by monetary rank (CONTRACT.md §2) reaching the member: from 100 members on, ranks replace the fixed thresholds.</summary>
public sealed class ValueClassByRankTests
{
    [Fact]
    public async Task AMemberTakesItsClassFromTheProgrammesRankOnItsNextEvent()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();

        // 100 members whose trailing monetary spans 1.1 to 10,000 CNY: the top 15% start near 3,162 CNY.
        var contributions = Enumerable.Range(1, 100)
            .SelectMany(i => ProgrammeAggregationTests.Events([$"rank-m{i}"], "login", ProgrammeAggregationTests.Today, "east", (decimal)Math.Pow(10, i / 25.0)))
            .ToList();
        await silo.Sink.ApplyAsync(contributions);
        var member = silo.Grains.GetGrain<IMemberGrain>("rank-buyer");

        var result = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = "rank-e1", Type = "purchase", MemberId = "rank-buyer", OccurredAt = ProgrammeSilo.Start.AddHours(-1),
            RegionId = "east", OrderId = "RO1", Amount = 4_000m,
        });

        Assert.Equal(ApplyStatus.Applied, result.Status);
        var view = await member.GetViewAsync();
        Assert.Equal("A", view!.Rfm.ValueClass); // by the fixed Rfm thresholds (A from 5,000 CNY) it would be B
        // The member's contributions reach the aggregators in the background, right after its event.
        var gauges = await Streaming.Eventually.ReturnsAsync(
            async () => (await silo.Reader.GetGaugesAsync("east"))["east"], g => g.GetValueOrDefault(GaugeNames.Members) == 101, TimeSpan.FromSeconds(30), "the member's gauges arrive");
        Assert.Equal(1, gauges[GaugeNames.ValueClassPrefix + "A"]);
    }
}
