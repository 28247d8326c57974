using Engagement.Azure.Programme;
using Engagement.Azure.Tests.Streaming;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Programme;

/// <summary>Sharded aggregators on Azurite: each contribution id once, shards merged on read, sums durable across a restart.</summary>
public sealed class ProgrammeAggregationTests
{
    internal static readonly DateOnly Today = new(2026, 11, 24);

    /// <summary>The day before <see cref="Today"/>: the last whole day the alert rules judge.</summary>
    internal static readonly DateOnly Yesterday = Today.AddDays(-1);

    internal static readonly MetricsOptions Options = new() { Shards = 4 };

    /// <summary>The contributions of one event per member (a member's first outcome joins it).</summary>
    internal static List<MetricContribution> Events(IEnumerable<string> members, string type, DateOnly day, string region = "east", decimal monetary = 0) =>
        members.SelectMany(m => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = m,
            EffectId = type + "-" + m,
            Day = day,
            EventType = type,
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", Monetary = monetary },
        }, Options).Contributions).ToList();

    [Fact]
    public async Task TheSameContributionTwiceCountsOnceAndShardsMergeOnRead()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var members = Enumerable.Range(0, 20).Select(i => $"agg-m{i}").ToList();
        var contributions = Events(members, "login", Today);
        Assert.True(members.Select(Options.ShardOf).Distinct().Count() > 1, "the members spread over several shards");

        await silo.Sink.ApplyAsync(contributions);
        await silo.Sink.ApplyAsync(contributions);
        await silo.Sink.ApplyAsync(contributions.Take(7).ToList());

        var day = (await silo.Reader.GetDaysAsync("east", Today, Today)).Single();
        Assert.Equal(20, day.Counters[MetricNames.Dau]);
        Assert.Equal(20, day.Counters[MetricNames.NewMembers]);
        Assert.Equal(20, day.Counters[MetricNames.FunnelLogin]);
        var monthEnd = (await silo.Reader.GetDaysAsync(null, Today.AddDays(29), Today.AddDays(30))).ToList();
        Assert.Equal(20, monthEnd[0].Counters[MetricNames.Mau]);
        Assert.False(monthEnd[1].Counters.ContainsKey(MetricNames.Mau));
        var gauges = await silo.Reader.GetGaugesAsync(null);
        Assert.Equal(20, gauges["east"][GaugeNames.Members]);
        Assert.Equal(["east"], await silo.Reader.GetRegionsAsync());
    }

    [Fact]
    public async Task AYearOfDaysIsReadFromTheStoredSumsWithoutActivatingAnAggregatorPerDay()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 12).Select(i => $"year-m{i}"), "login", Today.AddDays(-300), region: "year"));
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 5).Select(i => $"year-n{i}"), "login", Today, region: "year"));
        // A region whose name starts like "year"'s: its days are not "year"'s.
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 7).Select(i => $"yeara-m{i}"), "login", Today, region: "year-a"));
        var before = await AggregatorActivationsAsync(silo);

        var days = await silo.Reader.GetDaysAsync("year", Today.AddDays(-399), Today);

        Assert.Equal(400, days.Count);
        Assert.Equal(12, days.Single(d => d.Day == Today.AddDays(-300)).Counters[MetricNames.Dau]);
        Assert.Equal(5, days[^1].Counters[MetricNames.Dau]);
        Assert.Equal(17, days.Where(d => d.Counters.ContainsKey(MetricNames.NewMembers)).Sum(d => d.Counters[MetricNames.NewMembers]));
        // 489 days × 4 shards read through the grains would have activated 1,956 aggregators.
        Assert.Equal(before, await AggregatorActivationsAsync(silo));
    }

    private static async Task<int> AggregatorActivationsAsync(ProgrammeSilo silo)
    {
        var stats = await silo.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetSimpleGrainStatistics();
        return stats.Where(s => s.GrainType.Contains(nameof(MetricAggregatorGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    [Fact]
    public async Task MembersOfRegionsPastTheKeptRegionsCountUnderTheOtherBucketSoTotalsAddUp()
    {
        // Regions past the 256th were dropped from the registry: their members were counted but never read back.
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var regions = ProgrammeRegionsGrain.MaxRegions + 4;
        var members = Enumerable.Range(0, regions).Select(i => $"ovf-m{i}").ToList();
        var gaugesOnly = members
            .SelectMany((m, i) => Events([m], "register", Today, region: string.Create(System.Globalization.CultureInfo.InvariantCulture, $"r{i:000}")))
            .Where(c => c.IsGauge)
            .ToList();

        await silo.Sink.ApplyAsync(gaugesOnly);

        var gauges = await silo.Reader.GetGaugesAsync(null);
        Assert.Equal(regions, gauges.Values.Sum(g => g.GetValueOrDefault(GaugeNames.Members)));
        Assert.Equal(4, gauges[MetricsOptions.OtherRegion][GaugeNames.Members]);
        Assert.Contains(MetricsOptions.OtherRegion, await silo.Reader.GetRegionsAsync());
    }

    [Fact]
    public async Task OneApplyOfTwoInterleavedDaysAndGaugesOfOneRegionAndShardCountsEachUnderItsOwnAggregator()
    {
        // The sink groups a call's contributions by the first of each group (region, kind, shard and a day's day): a
        // contribution of yesterday between today's, and gauges between both, must each reach their own aggregator.
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var yesterday = Today.AddDays(-1);
        static MetricContribution C(string id, DateOnly day, string name, long delta, decimal revenue = 0, bool gauge = false) => new()
        {
            Id = id,
            RegionId = "mix",
            Day = day,
            Shard = 1,
            IsGauge = gauge,
            Counters = new Dictionary<string, long> { [name] = delta },
            Revenue = revenue,
        };

        await silo.Sink.ApplyAsync(
        [
            C("mix-1", Today, MetricNames.Dau, 1, 10.50m),
            C("mix-g1", Today, GaugeNames.Members, 3, gauge: true),
            C("mix-2", yesterday, MetricNames.Dau, 1, 2.25m),
            C("mix-3", Today, MetricNames.Dau, 1, 1.00m),
            C("mix-g2", yesterday, GaugeNames.Members, 4, gauge: true),
            C("mix-4", yesterday, MetricNames.FunnelLogin, 5),
            C("mix-5", yesterday, MetricNames.Dau, 1, 0.75m),
        ]);

        var days = await silo.Reader.GetDaysAsync("mix", yesterday, Today);
        Assert.Equal([yesterday, Today], days.Select(d => d.Day));
        Assert.Equal(2, days[0].Counters[MetricNames.Dau]);
        Assert.Equal(5, days[0].Counters[MetricNames.FunnelLogin]);
        Assert.Equal(3.00m, days[0].Revenue);
        Assert.Equal(2, days[1].Counters[MetricNames.Dau]);
        Assert.False(days[1].Counters.ContainsKey(MetricNames.FunnelLogin));
        Assert.Equal(11.50m, days[1].Revenue);
        Assert.False(days.Any(d => d.Counters.ContainsKey(GaugeNames.Members)), "gauges are not a day's counters");
        Assert.Equal(7, (await silo.Reader.GetGaugesAsync("mix"))["mix"][GaugeNames.Members]);
    }

    [Fact]
    public async Task ConcurrentAppliesToOneHotAggregatorAreCommittedTogetherAndCountedExactly()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        static MetricContribution C(int i) => new()
        {
            Id = $"hot-m{i}|e|d|hot|20261124",
            RegionId = "hot",
            Day = Today,
            Shard = 0,
            Counters = new Dictionary<string, long> { [MetricNames.Dau] = 1 },
            Revenue = 1.25m,
        };
        var grain = silo.Grains.GetGrain<IMetricAggregatorGrain>(MetricKeys.Day("hot", Today, 0));

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => grain.ApplyAsync(new([C(i % 200)]))));
        await silo.StopAsync();
        await silo.StartAsync();

        var day = (await silo.Reader.GetDaysAsync("hot", Today, Today)).Single();
        Assert.Equal(200, day.Counters[MetricNames.Dau]);
        Assert.Equal(250.00m, day.Revenue);
    }

    [Fact]
    public async Task ManyMembersSendingAtOnceShareCallsAndEachReturnsOnlyWhenItsContributionsAreCounted()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var perMember = Enumerable.Range(0, 150).Select(i => Events([$"batch-m{i}"], "browse", Today, "batch")).ToList();

        // Each member twice at once (a redelivery racing the first emit): every call returns, each member counts once.
        await Task.WhenAll(perMember.Concat(perMember).Select(c => silo.Sink.ApplyAsync(c)));
        var day = (await silo.Reader.GetDaysAsync("batch", Today, Today)).Single();

        Assert.Equal(150, day.Counters[MetricNames.Dau]);
        Assert.Equal(150, day.Counters[MetricNames.FunnelBrowse]);
        Assert.Equal(150, (await silo.Reader.GetGaugesAsync("batch"))["batch"][GaugeNames.Members]);
    }

    [Fact]
    public async Task SumsSurviveARestartAndARedeliveryAfterItIsIgnored()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var first = Events(Enumerable.Range(0, 12).Select(i => $"crash-m{i}"), "purchase", Today);
        await silo.Sink.ApplyAsync(first);

        await silo.StopAsync();
        await silo.StartAsync();
        await silo.Sink.ApplyAsync(first);
        await silo.Sink.ApplyAsync(Events(["crash-late"], "purchase", Today.AddDays(-3)));

        var days = await silo.Reader.GetDaysAsync("east", Today.AddDays(-3), Today);
        Assert.Equal(12, days[^1].Counters[MetricNames.Purchasers]);
        Assert.Equal(1, days[0].Counters[MetricNames.Purchasers]);
        Assert.Equal(13, days[^1].Counters[MetricNames.Purchasers30]);
        Assert.Equal(13, (await silo.Reader.GetGaugesAsync("east"))["east"][GaugeNames.Members]);
    }

    [Fact]
    public async Task AConfirmedContributionResentAMonthLaterAfterARestartCountsOnce()
    {
        // The member's state write after the confirmation was lost (a crash): its next activation, a month later, sends
        // the day's contributions again, to the day's aggregators and to the gauges, both reactivated from storage.
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var purchase = Events(["month-m1"], "purchase", Today, "month", monetary: 100m);
        await silo.Sink.ApplyAsync(purchase);

        await silo.StopAsync();
        silo.Clock.Advance(TimeSpan.FromDays(30));
        await silo.StartAsync();
        await silo.Sink.ApplyAsync(purchase);

        var day = (await silo.Reader.GetDaysAsync("month", Today, Today)).Single();
        Assert.Equal(1, day.Counters[MetricNames.Dau]);
        Assert.Equal(1, day.Counters[MetricNames.Purchasers]);
        Assert.Equal(1, (await silo.Reader.GetGaugesAsync("month"))["month"][GaugeNames.Members]);
    }

    [Fact]
    public async Task AWriteWhoseAnswerIsLostIsRetriedByTheCallersAndCountsOnce()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var first = Events(Enumerable.Range(0, 30).Select(i => $"lost-m{i}"), "login", Today, "lost");
        await silo.Sink.ApplyAsync(first);
        var second = Events(Enumerable.Range(30, 30).Select(i => $"lost-m{i}"), "login", Today, "lost");

        // Every aggregator's write lands in storage but reports a failure: callers see it fail, their outboxes re-emit.
        silo.LoseRowWriteAnswers = 1_000;
        await Assert.ThrowsAnyAsync<Exception>(() => silo.Sink.ApplyAsync(second));
        silo.LoseRowWriteAnswers = 0;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await silo.Sink.ApplyAsync(second);
                return true;
            }
            catch (Exception ex) when (ex is TimeoutException or Orleans.Storage.InconsistentStateException)
            {
                return false; // an activation that still held the rows from before the lost answer: it deactivates
            }
        }, TimeSpan.FromSeconds(30), "a re-emit after the lost answers succeeds");

        var day = (await silo.Reader.GetDaysAsync("lost", Today, Today)).Single();
        Assert.Equal(60, day.Counters[MetricNames.Dau]);
        await silo.StopAsync();
        await silo.StartAsync();
        Assert.Equal(60, (await silo.Reader.GetDaysAsync("lost", Today, Today)).Single().Counters[MetricNames.Dau]);
        Assert.Equal(60, (await silo.Reader.GetGaugesAsync("lost"))["lost"][GaugeNames.Members]);
    }

    [Fact]
    public async Task SumsStoredAsOneGrainStateBeforeRowsAreMovedIntoRowsAndStillDropRepeats()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var key = MetricKeys.Day("legacy", Today, 1);
        var contributions = Enumerable.Range(0, 40).Select(i => new MetricContribution
        {
            Id = $"legacy-m{i}|e1",
            MemberId = $"legacy-m{i}",
            Sequence = 1,
            RegionId = "legacy",
            Day = Today,
            Shard = 1,
            Counters = new Dictionary<string, long> { [MetricNames.Dau] = 1 },
            Revenue = 2.5m,
        }).ToList();
        var (whole, _) = AggregatorShard.Apply(new AggregatorShard(), contributions, ProgrammeSilo.Start, 7);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
        var grain = silo.Grains.GetGrain<IMetricAggregatorGrain>(key);
        await storage.WriteStateAsync("metrics", grain.GetGrainId(), new GrainState<AggregatorShard>(whole));

        var sums = await grain.GetAsync();
        await grain.ApplyAsync(new(contributions));

        Assert.Equal(40, sums.Counters[MetricNames.Dau]);
        Assert.Equal(100m, sums.Revenue);
        Assert.Equal(40, (await grain.GetAsync()).Counters[MetricNames.Dau]);
        var rows = await silo.Services.GetRequiredService<AzureTableAggregatorRowStore>().ReadAsync(key);
        Assert.True(rows.Count > 10, $"the marks spread over the rows ({rows.Count})");
        var legacy = new GrainState<AggregatorShard>();
        await storage.ReadStateAsync("metrics", grain.GetGrainId(), legacy);
        Assert.False(legacy.RecordExists);
    }

    [Fact]
    public async Task ValueClassThresholdsComeFromTheMonetaryHistogramOfEveryRegion()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        var contributions = Enumerable.Range(1, 100)
            .SelectMany(i => Events([$"vc-m{i}"], "login", Today, i % 2 == 0 ? "east" : "west", (decimal)Math.Pow(10, i / 25.0)))
            .ToList();
        await silo.Sink.ApplyAsync(contributions);

        var thresholds = await silo.Grains.GetGrain<IValueClassGrain>(0).GetThresholdsAsync();

        Assert.Equal(100, thresholds.Members);
        var classes = Enumerable.Range(1, 100).Select(i => thresholds.ClassOf((decimal)Math.Pow(10, i / 25.0))).ToList();
        Assert.InRange(classes.Count(c => c == "A"), 12, 15);
        Assert.InRange(classes.Count(c => c is "A" or "B"), 46, 50);
        Assert.Equal(ProgrammeSilo.Start, thresholds.ComputedAt);
    }
}
