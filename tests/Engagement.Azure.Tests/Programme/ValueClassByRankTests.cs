using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>Value class by monetary rank (CONTRACT.md §2) reaching the member: from 100 members on, ranks replace the fixed thresholds.</summary>
public sealed class ValueClassByRankTests
{
    [Fact]
    public async Task AMemberTakesItsClassFromTheProgrammesRankOnItsNextEventAndKeepsItAfterARestart()
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

        // After a restart the member's first call, a view, shows the class by rank too, not the configured one.
        await silo.StopAsync();
        await silo.StartAsync();
        Assert.Equal("A", (await silo.Grains.GetGrain<IMemberGrain>("rank-buyer").GetViewAsync())!.Rfm.ValueClass);
    }

    [Fact]
    public async Task AYoungProgrammesThresholdsAreRecountedAMinuteLaterNotKeptForAnHour()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();

        // The programme passes 100 members, all with little spend (1 to 10 CNY): the first rank thresholds are counted over them.
        await silo.Sink.ApplyAsync(Enumerable.Range(1, 100)
            .SelectMany(i => ProgrammeAggregationTests.Events([$"young-m{i}"], "login", ProgrammeAggregationTests.Today, "east", (decimal)Math.Pow(10, i / 100.0)))
            .ToList());
        var first = silo.Grains.GetGrain<IMemberGrain>("young-first");
        await first.ApplyEventAsync(new EngagementEvent
        {
            EventId = "young-e1", Type = "login", MemberId = "young-first", OccurredAt = ProgrammeSilo.Start.AddHours(-1), RegionId = "east",
        });

        // Then 300 members who spent 5,000 to 50,000 CNY join (the demo's load), and two minutes pass.
        await silo.Sink.ApplyAsync(Enumerable.Range(1, 300)
            .SelectMany(i => ProgrammeAggregationTests.Events([$"young-big{i}"], "login", ProgrammeAggregationTests.Today, "east", 5_000m * (decimal)Math.Pow(10, i / 300.0)))
            .ToList());
        silo.Clock.Advance(TimeSpan.FromMinutes(2));
        var buyer = silo.Grains.GetGrain<IMemberGrain>("young-buyer");

        await buyer.ApplyEventAsync(new EngagementEvent
        {
            EventId = "young-e2", Type = "purchase", MemberId = "young-buyer", OccurredAt = ProgrammeSilo.Start.AddMinutes(1),
            RegionId = "east", OrderId = "YO1", Amount = 4_000m,
        });

        // 4,000 CNY ranks below all 300 big spenders (the top 75% of 400): class C. By the thresholds counted over the
        // first 100 members (A from about 7 CNY) it would be A.
        Assert.Equal("C", (await buyer.GetViewAsync())!.Rfm.ValueClass);
        var thresholds = await silo.Grains.GetGrain<Engagement.Grains.Programme.IValueClassGrain>(0).GetThresholdsAsync();
        Assert.True(thresholds.Members >= 400, $"recounted over the grown programme, not {thresholds.Members} members");
    }
}
