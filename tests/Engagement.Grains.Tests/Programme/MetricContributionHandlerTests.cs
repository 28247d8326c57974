using System.Collections.Immutable;
using System.Net;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Tests;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Grains.Tests.Programme;

/// <summary>What a member's metrics lane reports back to the member's outbox.</summary>
public sealed class MetricContributionHandlerTests
{
    [Fact]
    public void TheLongestSendLingerLeavesAStoppingSiloTimeForItsFlushToGoOut() =>
        // The flush waits for the sink's send loop, which lingers once more before it calls the aggregator.
        Assert.True(TimeSpan.FromMilliseconds(MetricsOptions.MaxSendLingerMilliseconds) * 2 <= MetricContributionHandler.FlushTimeout);

    [Fact]
    public async Task EmitAllReportsContributionsTheAggregatorsAlreadyConfirmedAndDoesNotQueueThemAgain()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        List<MemberEffect> effects = [Record("e:1"), Record("e:2")];

        // The member's write emits in the background; the aggregators confirm both (the lane takes the answer on its
        // own thread; EmitAllAsync below waits for the lane).
        Assert.Equal(0, await handler.EmitAsync("m1", effects));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent them");
        sink.Answer.SetResult();

        // Deactivation (or a ledger read) asks for everything: both are confirmed, so the outbox can drop them.
        Assert.Equal(2, await handler.EmitAllAsync("m1", effects));

        // Nothing of them is queued again: the next emit of a new contribution sends only that one.
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:3")]));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent the new one");
        Assert.Equal(2, sink.Calls.Count);
        Assert.Equal(["e:1", "e:2"], sink.Calls[0]);
        Assert.Equal(["e:3"], sink.Calls[1]);
    }

    [Fact]
    public async Task ConfirmationsAreTakenBeforeTheNextWriteOnceAndNothingOfThemIsSentAgain()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        Assert.True(((IMemberEffectHandler)handler).ConfirmsInBackground);
        List<MemberEffect> effects = [Record("e:1"), Record("e:2")];

        // Nothing confirmed yet: a member with nothing sent, or whose lane waits for the aggregators, takes nothing.
        Assert.Equal(0, handler.TakeConfirmed("m1", effects));
        Assert.Equal(0, await handler.EmitAsync("m1", effects));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent them");
        Assert.Equal(0, handler.TakeConfirmed("m1", effects));
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "m1");

        // The member's next event: before its write, both confirmations are taken (the new e:3 is not), and only once.
        Assert.Equal(2, handler.TakeConfirmed("m1", [.. effects, Record("e:3")]));
        Assert.Equal(0, handler.TakeConfirmed("m1", [Record("e:3")]));

        // The emit after that write sends e:3 alone and reports nothing confirmed twice.
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:3")]));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent the new one");
        Assert.Equal(2, sink.Calls.Count);
        Assert.Equal(["e:1", "e:2"], sink.Calls[0]);
        Assert.Equal(["e:3"], sink.Calls[1]);
        Assert.Equal(1, await handler.EmitAllAsync("m1", [Record("e:3")]));
    }

    [Fact]
    public async Task ALaneWhoseConfirmationsWereTakenBeforeTheWriteIsNotKept()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:1")]));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent it");
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "m1");
        Assert.Equal(1, MetricLanes.Count(handler));

        // The member's next change has no contribution (a consent, a tick): its emit never comes to this handler, and
        // neither does its deactivation. Taking the confirmation before its write must not leave the lane behind.
        Assert.Equal(1, handler.TakeConfirmed("m1", [Record("e:1")]));
        Assert.Equal(0, MetricLanes.Count(handler));
    }

    [Fact]
    public async Task TheEmitterDropsConfirmedContributionsFromTheOutboxAndLeavesEverythingElse()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var emitter = new MemberEffectEmitter([handler], Microsoft.Extensions.Options.Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var step = new JournalWinBackStep(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero), "L1", 1, null);
        var outbox = new MemberOutbox();
        outbox.Add(Record("e:1"));
        Assert.False(emitter.TakeConfirmed("m1", outbox));

        await emitter.EmitAsync("m1", outbox);
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent it");
        Assert.False(emitter.TakeConfirmed("m1", outbox));
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "m1"); // the lane takes the answer on its own thread
        outbox.Add(step);
        outbox.Add(Record("e:2"));

        // e:1 was applied by its aggregator: the write about to store the outbox leaves it out; the journal step
        // (no handler here confirms it) and the new e:2 stay.
        Assert.True(emitter.TakeConfirmed("m1", outbox));
        Assert.Equal(2, outbox.Count);
        Assert.Same(step, outbox.Pending[0]);
        Assert.Equal("metrics:e:2", outbox.Pending[1].Id);
        Assert.False(emitter.TakeConfirmed("m1", outbox));
    }

    [Fact]
    public async Task ALaterOutcomeWithTheSameOutcomeIdIsSentOnItsOwnAndNotTakenAsConfirmedWithTheEarlierOne()
    {
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var emitter = new MemberEffectEmitter([handler], Microsoft.Extensions.Options.Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var outbox = new MemberOutbox();
        outbox.Add(Record("t:1", sequence: 1));
        await emitter.EmitAsync("m1", outbox);
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent the first");

        // A second outcome under the same id (a tick at the same instant) while the first is on its way: it is queued
        // beside it, not in its place, and the first one's confirmation leaves it pending until it is sent itself.
        outbox.Add(Record("t:1", sequence: 2));
        Assert.Equal(2, outbox.Count);
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "m1");
        Assert.True(emitter.TakeConfirmed("m1", outbox));
        Assert.Equal(["metrics:t:1#2"], outbox.Pending.Select(e => e.Id));

        Assert.Equal(1, await handler.EmitAllAsync("m1", outbox.Pending));
        Assert.Equal(2, sink.Calls.Count);
    }

    [Fact]
    public async Task TwoContributionsWhoseIdsReadAlikeAreEachSentAndConfirmedOnTheirOwn()
    {
        // Outcome "a#1" made before per-member sequences and outcome "a" with sequence 1 both have the id "metrics:a#1",
        // yet they are two effects (HasSameId compares outcome and sequence, so the outbox keeps both). The lane knows
        // a contribution by the same pair: neither may be taken for the other, or one outcome's counters were lost.
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var emitter = new MemberEffectEmitter([handler], Microsoft.Extensions.Options.Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var outbox = new MemberOutbox();
        outbox.Add(Record("a#1"));
        outbox.Add(Record("a", sequence: 1));
        Assert.Equal(2, outbox.Count);
        Assert.Equal(outbox.Pending[0].Id, outbox.Pending[1].Id);

        await emitter.EmitAsync("m1", outbox);
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent them");
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "m1");

        // Both went to the aggregators, each once, and both confirmations are taken before the next write.
        Assert.Equal(["a", "a#1"], sink.Calls.SelectMany(c => c).Order(StringComparer.Ordinal));
        Assert.True(emitter.TakeConfirmed("m1", outbox));
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, handler.TakeConfirmed("m1", [Record("a#1"), Record("a", sequence: 1)]));
    }

    [Fact]
    public async Task AMemberThatDeactivatesAfterAFailedSendLeavesNoLaneAndNothingIsSentForItLater()
    {
        using var sink = new CountingSink();
        sink.Answer.SetException(new IOException("the aggregator did not answer"));
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var emitter = new MemberEffectEmitter([handler], Microsoft.Extensions.Options.Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var lifecycle = new StopOnlyLifecycle();
        handler.Participate(lifecycle);

        // Deactivation waits for the lane: the send fails, nothing is confirmed, the contribution stays in the stored outbox.
        Assert.Equal(0, await handler.EmitAllAsync("m1", [Record("e:1")]));
        Assert.Equal(1, MetricLanes.Count(handler));

        emitter.Release("m1");

        // The lane is gone, and the silo's stop sends nothing for the member: its next activation, on any silo, does.
        Assert.Equal(0, MetricLanes.Count(handler));
        await lifecycle.StopAsync(ServiceLifecycleStage.Active);
        Assert.Equal(["e:1"], Assert.Single(sink.Calls));
    }

    [Fact]
    public async Task ALaneReleasedWhileItsSendIsUnderWayGoesWhenTheSendEnds()
    {
        using var sink = new CountingSink();
        var handler = await ReleasedWhileSendingAsync(sink);

        // The send finishes, then the lane goes.
        Assert.Equal(1, MetricLanes.Count(handler));
        sink.Answer.SetResult();
        await MetricLanes.UntilCountAsync(handler, 0);
        Assert.Equal(["e:1"], Assert.Single(sink.Calls));
    }

    [Fact]
    public async Task AMemberBackOnTheSiloBeforeItsReleasedLaneStoppedKeepsOneLaneAndOneSender()
    {
        using var sink = new CountingSink();
        var handler = await ReleasedWhileSendingAsync(sink);

        // The next activation reloads e:1 (still pending in storage) beside its new e:2: e:1 is not queued twice, and
        // e:2 goes after it on the same lane, which stays.
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:1"), Record("e:2")]));
        sink.Answer.SetResult();
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent the new one");
        await MetricLanes.UntilConfirmedAsync(handler, "m1");
        Assert.Equal(1, MetricLanes.Count(handler));
        Assert.Equal(2, await handler.EmitAllAsync("m1", [Record("e:1"), Record("e:2")]));
        Assert.Equal([["e:1"], ["e:2"]], sink.Calls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AStoppingSiloKeepsSendingOnlyWhileAnotherSiloOfTheClusterIsActive(bool anotherActive)
    {
        var local = SiloAddress.New(IPAddress.Loopback, 11111, 1);
        var other = SiloAddress.New(IPAddress.Loopback, 11112, 1);
        var members = ImmutableDictionary<SiloAddress, ClusterMember>.Empty
            .Add(local, new ClusterMember(local, SiloStatus.ShuttingDown, "local"))
            .Add(other, new ClusterMember(other, anotherActive ? SiloStatus.Active : SiloStatus.ShuttingDown, "other"));
        using var sink = new CountingSink();
        sink.Answer.SetResult();
        var handler = new MetricContributionHandler(
            [sink], NullLogger<MetricContributionHandler>.Instance, new FixedMembership(new(members, new MembershipVersion(2))), new LocalSilo(local));
        var lifecycle = new StopOnlyLifecycle();
        handler.Participate(lifecycle);

        await lifecycle.StopAsync(ServiceLifecycleStage.Active);

        // A member deactivating after the flush: with another silo active its send goes out (the aggregators can be
        // placed there); on the last silo it stays in the member's outbox and nothing is sent.
        await handler.EmitAsync("m1", [Record("e:1")]);
        if (anotherActive)
        {
            Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent it to the other silo");
            Assert.Equal(["e:1"], Assert.Single(sink.Calls));
        }
        else
        {
            Assert.Equal(0, await handler.EmitAllAsync("m1", [Record("e:1")]));
            Assert.Empty(sink.Calls);
        }
    }

    /// <summary>A handler whose lane for m1 has sent e:1; the member deactivates before the aggregators answer.</summary>
    private static async Task<MetricContributionHandler> ReleasedWhileSendingAsync(CountingSink sink)
    {
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        Assert.Equal(0, await handler.EmitAsync("m1", [Record("e:1")]));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent it");
        handler.Release("m1");
        return handler;
    }

    [Fact]
    public async Task EmittingAgainWhatTheLaneAlreadySendsAllocatesNothing()
    {
        // A member's emits while its lane waits for the aggregators hand the lane what it already queued: the lane
        // knows each by its outcome and sequence, so it builds no effect id string per look (two per emit before).
        using var sink = new CountingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        List<MemberEffect> effects = [Record("e:1", 1)];
        Assert.Equal(0, await handler.EmitAsync("m1", effects));
        Assert.True(await sink.Called.WaitAsync(TimeSpan.FromSeconds(10)), "the lane sent it");

        var bytes = AllocationProbe.FewestBytes(() => Assert.True(handler.EmitAsync("m1", effects).IsCompletedSuccessfully), enough: 0);

        Assert.Equal(0L, bytes);
        Assert.Equal(0, await handler.EmitAsync("m1", effects));
        sink.Answer.SetResult();
        Assert.Equal(1, await handler.EmitAllAsync("m1", effects));
        Assert.Single(sink.Calls);
    }

    [Fact]
    public async Task AMembersFirstEmitStartsItsLaneWithoutHashSetsOrAClosure()
    {
        // A member's lane is made at the start of most bursts of its events (it is dropped once empty) and its sender
        // started: on the member's thread that cost the lane, two hash sets and their first arrays, the queue, a closure
        // and a delegate for Task.Run, and the tasks; the lane now keeps two short lists (about 230 bytes less than the
        // sets, by their layout) and starts its sender from a delegate made once. The bound is this layout's, with room:
        // the lane, its lists, the queue's first array, the dictionary's node and the two tasks. The sink never answers
        // here, so every lane stays in its first send.
        var sink = new SilentSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var members = Enumerable.Range(0, 2_000).Select(i => "m" + i).ToArray();
        var effects = members.Select(m => new List<MemberEffect> { Record("e:" + m, 1) }).ToArray();
        var next = 0;
        Assert.Equal(0, await handler.EmitAsync(members[next], effects[next++])); // the delegate and the JIT's first run

        var bytes = AllocationProbe.FewestBytes(() => Assert.True(handler.EmitAsync(members[next], effects[next++]).IsCompletedSuccessfully), calls: 200);

        Assert.InRange(bytes, 1, 480);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref sink.Calls) == next, TimeSpan.FromSeconds(30)), $"{sink.Calls} of {next} lanes sent");
    }

    [Fact]
    public async Task DuringAnAggregatorOutageEachPendingContributionIsQueuedOnceThoughEveryEmitPassesThemAll()
    {
        // The emitter passes every pending metric effect at each emit: while the aggregators fail, a member's 200
        // pending contributions come back at each of its events and must be queued (and sent) once each.
        var sink = new FailingSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var pending = new List<MemberEffect>();
        for (var sequence = 1; sequence <= 200; sequence++)
        {
            pending.Add(Record("e:" + sequence, sequence));
            Assert.Equal(0, await handler.EmitAllAsync("m1", pending));
        }

        Assert.Equal(200, sink.Calls.Count);
        for (var call = 0; call < sink.Calls.Count; call++)
        {
            Assert.Equal(Enumerable.Range(1, call + 1).Select(s => "e:" + s), sink.Calls[call]);
        }

        sink.Fails = false;
        Assert.Equal(200, await handler.EmitAllAsync("m1", pending));
        Assert.Equal(Enumerable.Range(1, 200).Select(s => "e:" + s), sink.Calls[^1]);
        Assert.Equal(0, MetricLanes.Count(handler));
    }

    /// <summary>Fails every send while <see cref="Fails"/>; records what each send carried.</summary>
    private sealed class FailingSink : IProgrammeMetricsSink
    {
        public volatile bool Fails = true;

        public List<List<string>> Calls { get; } = [];

        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
        {
            lock (Calls)
            {
                Calls.Add([.. contributions.SelectMany(c => c.Counters.Keys)]);
            }

            return Fails ? Task.FromException(new IOException("the aggregator did not answer")) : Task.CompletedTask;
        }
    }

    /// <summary>Takes every send and never answers it.</summary>
    private sealed class SilentSink : IProgrammeMetricsSink
    {
        public int Calls;

        private readonly TaskCompletionSource _never = new();

        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
        {
            Interlocked.Increment(ref Calls);
            return _never.Task;
        }
    }

    private static RecordMetrics Record(string outcome, long sequence = 0) =>
        new(outcome, [new MetricContribution { Id = outcome, MemberId = "m1", Sequence = sequence, RegionId = "east", Day = new DateOnly(2026, 11, 24), Counters = new Dictionary<string, long> { [outcome] = 1 } }]);

    private sealed class CountingSink : IProgrammeMetricsSink, IDisposable
    {
        public List<List<string>> Calls { get; } = [];

        /// <summary>What the first call returns (later calls return at once).</summary>
        public TaskCompletionSource Answer { get; } = new();

        /// <summary>Released once per call.</summary>
        public SemaphoreSlim Called { get; } = new(0);

        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
        {
            lock (Calls)
            {
                Calls.Add([.. contributions.SelectMany(c => c.Counters.Keys)]);
            }

            Called.Release();
            return Calls.Count == 1 ? Answer.Task : Task.CompletedTask;
        }

        public void Dispose() => Called.Dispose();
    }

    private sealed class FixedMembership(ClusterMembershipSnapshot snapshot) : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot => snapshot;

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }

    private sealed class LocalSilo(SiloAddress address) : ILocalSiloDetails
    {
        public string Name => "local";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => address;

        public SiloAddress GatewayAddress => address;
    }

    /// <summary>A silo lifecycle that only records its observers, to run one stage's stop.</summary>
    private sealed class StopOnlyLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage => ServiceLifecycleStage.Active;

        public int LowestStoppedStage => int.MaxValue;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new NoDispose();
        }

        public Task StopAsync(int stage) => Task.WhenAll(_observers.Where(o => o.Stage == stage).Select(o => o.Observer.OnStop(CancellationToken.None)));

        private sealed class NoDispose : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
