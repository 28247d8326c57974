using System.Reflection;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Programme;
using Engagement.Grains.Tests.Programme;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The member's write gate on its own, without a cluster (ARCHITECTURE.md, "The member hot path"): memory is never
/// ahead of storage after a failed change. The grain-level and Azurite storage-fault tests
/// (<c>MemberStorageFaultTests</c>) show the same through the grain; these pin each rule of the gate.
/// </summary>
public sealed class MemberWriteGateTests
{
    private static readonly TimeSpan Stored = TimeSpan.FromDays(1);
    private static readonly TimeSpan Unsaved = TimeSpan.FromDays(2);

    [Fact]
    public async Task A_change_whose_write_fails_is_dropped_and_the_next_call_meets_what_storage_holds()
    {
        var (storage, gate) = await StoredMemberAsync();

        await ChangeWhoseWriteFailsAsync(storage, gate);

        storage.FailWrites = false;
        var seen = await gate.ChangeAsync(() => Task.FromResult(storage.State.ReminderPeriod));
        Assert.Equal(Stored, seen);
        Assert.Equal(1, storage.Reads);
    }

    [Fact]
    public async Task A_rule_that_throws_after_changing_memory_leaves_nothing_behind()
    {
        var (storage, gate) = await StoredMemberAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.ChangeAsync(() =>
        {
            storage.State.ReminderPeriod = Unsaved;
            throw new InvalidOperationException("a bug in a rule");
        }));

        await gate.EnsureCurrentAsync();
        Assert.Equal(Stored, storage.State.ReminderPeriod);
        Assert.Equal(1, storage.Writes);
    }

    [Fact]
    public async Task While_storage_cannot_be_read_every_call_fails_and_none_sees_the_dropped_change()
    {
        var (storage, gate) = await StoredMemberAsync();
        await ChangeWhoseWriteFailsAsync(storage, gate);

        storage.FailReads = true;
        await Assert.ThrowsAsync<IOException>(() => gate.ChangeAsync(() => Task.FromResult(storage.State.ReminderPeriod)));
        await Assert.ThrowsAsync<IOException>(gate.EnsureCurrentAsync);

        storage.FailReads = false;
        storage.FailWrites = false;
        Assert.Equal(Stored, await gate.ChangeAsync(() => Task.FromResult(storage.State.ReminderPeriod)));
    }

    [Fact]
    public async Task A_stored_change_stays_in_memory_and_nothing_is_read_back()
    {
        var (storage, gate) = await StoredMemberAsync();

        await gate.ChangeAsync(async () =>
        {
            storage.State.ReminderPeriod = Unsaved;
            await gate.CommitAsync(changed: true);
        });

        Assert.Equal(Unsaved, await gate.ChangeAsync(() => Task.FromResult(storage.State.ReminderPeriod)));
        Assert.Equal(0, storage.Reads);
        Assert.Equal(2, storage.Writes);
    }

    [Fact]
    public async Task Nothing_changed_means_no_write()
    {
        var (storage, gate) = await StoredMemberAsync();

        await gate.ChangeAsync(() => gate.CommitAsync(changed: false));

        Assert.Equal(1, storage.Writes);
    }

    [Fact]
    public async Task A_failure_inside_a_nested_change_drops_the_outer_change_too()
    {
        var (storage, gate) = await StoredMemberAsync();
        storage.FailWrites = true;

        await Assert.ThrowsAsync<IOException>(() => gate.ChangeAsync(async () =>
        {
            storage.State.ReminderPeriod = Unsaved;
            await gate.ChangeAsync(() => gate.CommitAsync(changed: true));
        }));

        storage.FailWrites = false;
        Assert.Equal(Stored, await gate.ChangeAsync(() => Task.FromResult(storage.State.ReminderPeriod)));
    }

    [Fact]
    public async Task A_write_leaves_out_contributions_the_aggregators_confirmed_and_a_failed_one_gets_them_back()
    {
        var (storage, gate) = await MemberWithConfirmedContributionAsync();

        // The next change's write stores its own contribution, not the one already applied.
        await ChangeWithContributionAsync(storage, gate, "e:2");
        Assert.Contains("e:2", storage.Stored, StringComparison.Ordinal);
        Assert.DoesNotContain("e:1", storage.Stored, StringComparison.Ordinal);

        // A failed write after such a drop: memory starts over from storage, which still lists what it stored.
        var (storage2, gate2) = await MemberWithConfirmedContributionAsync();
        storage2.FailWrites = true;
        await Assert.ThrowsAsync<IOException>(() => ChangeWithContributionAsync(storage2, gate2, "e:2"));
        storage2.FailWrites = false;
        await gate2.EnsureCurrentAsync();
        Assert.Equal(["metrics:e:1"], storage2.State.Member.Outbox.Pending.Select(e => e.Id));
    }

    /// <summary>A stored member whose contribution e:1 was written, sent and confirmed by the aggregators (its lane holds the confirmation).</summary>
    private static async Task<(JsonMemberState Storage, MemberWriteGate Gate)> MemberWithConfirmedContributionAsync()
    {
        var sink = new AnsweringSink();
        var handler = new MetricContributionHandler([sink], NullLogger<MetricContributionHandler>.Instance);
        var (storage, gate) = await StoredMemberAsync(handler);
        await ChangeWithContributionAsync(storage, gate, "e:1");
        Assert.Contains("e:1", storage.Stored, StringComparison.Ordinal);
        await sink.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        sink.Answer.SetResult();
        await MetricLanes.UntilConfirmedAsync(handler, "M1"); // the lane takes the answer on its own thread
        return (storage, gate);
    }

    /// <summary>A change that queues one outcome's contribution and commits (one write, then the emit).</summary>
    private static Task ChangeWithContributionAsync(JsonMemberState storage, MemberWriteGate gate, string outcome) => gate.ChangeAsync(async () =>
    {
        storage.State.Member.Outbox.Add(Contribution(outcome));
        await gate.CommitAsync(changed: true);
    });

    [Fact]
    public async Task Order_summaries_dropped_are_reported_once_when_stored_and_never_for_a_write_that_failed()
    {
        var logger = new WarningCounter();
        var (storage, gate) = await StoredMemberAsync(logger);

        // A change (any: an event, a tick, a redemption) that drops two summaries, whose write fails: nothing is reported.
        storage.FailWrites = true;
        await Assert.ThrowsAsync<IOException>(() => gate.ChangeAsync(async () =>
        {
            storage.State.Member.OrderSummariesDropped += 2;
            await gate.CommitAsync(changed: true);
        }));
        Assert.Empty(logger.Warnings);

        // Its retry, from what storage holds, is stored: reported once, with the two.
        storage.FailWrites = false;
        await gate.ChangeAsync(async () =>
        {
            storage.State.Member.OrderSummariesDropped += 2;
            await gate.CommitAsync(changed: true);
        });
        var warning = Assert.Single(logger.Warnings);
        Assert.Contains("dropped 2 order summaries", warning, StringComparison.Ordinal);

        // A later change that drops none, even one that writes again, reports nothing more.
        await gate.ChangeAsync(async () =>
        {
            storage.State.ReminderPeriod = Unsaved;
            await gate.CommitAsync(changed: true);
        });
        Assert.Single(logger.Warnings);
    }

    [Fact]
    public async Task A_stock_look_up_that_times_out_fails_the_admin_issue_without_leaving_memory_ahead_of_storage()
    {
        var (storage, activation, wakeUps, gate) = await StoredActivationAsync(NullLogger<MemberGrain>.Instance);
        storage.State.Member.MemberId = "M1";
        storage.State.Member.RegionId = "east";
        await gate.ChangeAsync(() => gate.CommitAsync(changed: true));
        storage.Reads = 0;
        var offers = new MemberOfferSide(activation, gate, wakeUps, StockTimesOut.Create());
        var grant = new CouponGrant { GrantId = "goodwill-1", Kind = CouponKinds.NoThreshold, Value = 10m, ValidDays = 7, Skus = ["SKU-X"] };

        await Assert.ThrowsAsync<TimeoutException>(() => offers.IssueAsync(grant));

        await gate.EnsureCurrentAsync();
        Assert.Equal(0, storage.Reads);
        Assert.Empty(await offers.CouponsAsync());
    }

    /// <summary>A grain factory whose every grain call times out, as a hot stock grain's may.</summary>
    public class StockTimesOut : DispatchProxy
    {
        internal static IGrainFactory Create() => Create<IGrainFactory, StockTimesOut>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new TimeoutException("stock grain call timed out");
    }

    /// <summary>The member grain's log, keeping its warnings.</summary>
    private sealed class WarningCounter : ILogger<MemberGrain>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning && formatter(state, exception) is { } text && text.Contains("order summaries", StringComparison.Ordinal))
            {
                Warnings.Add(text);
            }
        }
    }

    private static RecordMetrics Contribution(string outcome) =>
        new(outcome, [new MetricContribution { Id = "M1|" + outcome, MemberId = "M1", RegionId = "east", Day = new DateOnly(2026, 6, 1), Counters = new Dictionary<string, long> { ["dau"] = 1 } }]);

    /// <summary>Aggregators that answer the first call when told (later calls at once).</summary>
    private sealed class AnsweringSink : IProgrammeMetricsSink
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Answer { get; } = new();

        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions) =>
            Called.TrySetResult() ? Answer.Task : Task.CompletedTask;
    }

    /// <summary>Changes the member's reminder period to <see cref="Unsaved"/> and fails the write (storage then accepts writes again only when told).</summary>
    private static async Task ChangeWhoseWriteFailsAsync(JsonMemberState storage, MemberWriteGate gate)
    {
        storage.FailWrites = true;
        await Assert.ThrowsAsync<IOException>(() => gate.ChangeAsync(async () =>
        {
            storage.State.ReminderPeriod = Unsaved;
            await gate.CommitAsync(changed: true);
        }));
    }

    /// <summary>A member stored once through the gate, with <see cref="Stored"/> as its reminder period.</summary>
    private static Task<(JsonMemberState Storage, MemberWriteGate Gate)> StoredMemberAsync(params IMemberEffectHandler[] handlers) =>
        StoredMemberAsync(NullLogger<MemberGrain>.Instance, handlers);

    /// <summary>A member stored once through the gate, logging to <paramref name="logger"/>.</summary>
    private static async Task<(JsonMemberState Storage, MemberWriteGate Gate)> StoredMemberAsync(ILogger<MemberGrain> logger, params IMemberEffectHandler[] handlers)
    {
        var (storage, _, _, gate) = await StoredActivationAsync(logger, handlers);
        return (storage, gate);
    }

    /// <summary>A member stored once through the gate (coupons can be issued), with its activation and wake-ups.</summary>
    private static async Task<(JsonMemberState Storage, MemberActivation Activation, MemberWakeUps WakeUps, MemberWriteGate Gate)> StoredActivationAsync(
        ILogger<MemberGrain> logger, params IMemberEffectHandler[] handlers)
    {
        var storage = new JsonMemberState();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 2, 0, 0, TimeSpan.Zero));
        var emitter = new MemberEffectEmitter(handlers, Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var offers = new OffersOptions { CouponSecret = "write-gate-tests-coupon-secret-0123456789" };
        var services = new MemberGrainServices(
            Options.Create(new ProgramOptions()), Options.Create(offers), ConfiguredMemberRules.Instance, time, ReminderClock.RealTime, emitter, logger)
        {
            RetryTimers = (retry, due) => time.CreateTimer(_ => retry(), null, due, Timeout.InfiniteTimeSpan),
        };
        var activation = new MemberActivation(storage, "M1", services);
        var wakeUps = new MemberWakeUps(activation, (_, _) => Task.CompletedTask);
        var gate = new MemberWriteGate(activation, null, wakeUps);
        await gate.ChangeAsync(async () =>
        {
            storage.State.ReminderPeriod = Stored;
            await gate.CommitAsync(changed: true);
        });
        storage.Reads = 0;
        return (storage, activation, wakeUps, gate);
    }
}
