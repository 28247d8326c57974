using System.Reflection;
using Engagement.Contracts.Events;
using Engagement.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// <see cref="ClusterHealthCheck"/>'s branches with fakes: the membership oracle's status, and a stream provider
/// that answers the pulling-agent commands as told (or never). The clock is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class ClusterHealthCheckTests
{
    private static readonly HealthCheckContext Context = new();

    [Fact]
    public async Task AnActiveSiloWithoutTheQueueProviderIsHealthy()
    {
        var check = new ClusterHealthCheck(Oracle.With(SiloStatus.Active), new ServiceCollection().BuildServiceProvider());

        var result = await check.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("none (this silo has no queue provider)", result.Data["queueReaders"]);
    }

    [Fact]
    public async Task ASiloThatIsNotActiveIsUnhealthyWithoutAskingTheReaders()
    {
        var provider = new FakeProvider((_, _) => throw new InvalidOperationException("must not be asked"));
        var check = Check(SiloStatus.Joining, provider, new FakeTimeProvider());

        var result = await check.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("Joining", result.Data["siloStatus"]);
        Assert.Equal(0, provider.Calls);
    }

    [Fact]
    public async Task ReadersNotStartedYetAnswerUnhealthyNotStarted()
    {
        // Orleans' PersistentStreamProvider before its pulling-agent manager exists.
        var check = Check(SiloStatus.Active, new FakeProvider((_, _) => throw new ArgumentException("PullingAgentManager is not initialized yet.")), new FakeTimeProvider());

        var result = await check.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("not started", result.Data["queueReaders"]);
    }

    [Fact]
    public async Task ACommandThatNeverAnswersIsUnhealthyOnceTheSingleDeadlinePasses()
    {
        var time = new FakeTimeProvider();
        var never = new TaskCompletionSource<object?>();
        var check = Check(SiloStatus.Active, new FakeProvider((_, _) => never.Task), time);

        var pending = check.CheckHealthAsync(Context);
        // The deadline runs on the injected clock, not the wall clock: past 2 real seconds, still no answer.
        await Assert.ThrowsAsync<TimeoutException>(() => pending.WaitAsync(ClusterHealthCheck.AgentsTimeout + TimeSpan.FromMilliseconds(500)));
        time.Advance(ClusterHealthCheck.AgentsTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("no answer", result.Data["queueReaders"]);
        Assert.Contains("within 2 s", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BothQuestionsShareOneDeadlineNotOneEach()
    {
        var time = new FakeTimeProvider();
        var never = new TaskCompletionSource<object?>();
        // The first answers after 1.5 s, the second never: unhealthy at 2 s in all, not at 1.5 + 2 s.
        var check = Check(SiloStatus.Active, new FakeProvider((command, _) => command == (int)PersistentStreamProviderCommand.GetAgentsState
            ? Answer(time, TimeSpan.FromMilliseconds(1500), StreamLifecycleOptions.RunState.AgentsStarted)
            : never.Task), time);

        var pending = check.CheckHealthAsync(Context);
        time.Advance(TimeSpan.FromMilliseconds(1500));
        time.Advance(TimeSpan.FromMilliseconds(500));
        // At once, not after a fresh 2 s for the second question: with a deadline of its own the second question never
        // ends on this fake clock, so the real-time bound only has to outlast a loaded machine.
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("no answer", result.Data["queueReaders"]);
    }

    [Fact]
    public async Task ACancelledRequestCancelsTheProbeRatherThanReportingUnhealthy()
    {
        var never = new TaskCompletionSource<object?>();
        var check = Check(SiloStatus.Active, new FakeProvider((_, _) => never.Task), new FakeTimeProvider());
        using var request = new CancellationTokenSource();

        var pending = check.CheckHealthAsync(Context, request.Token);
        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)] // more silos than queues: this one reads none, and is still ready
    public async Task StartedReadersAreHealthyWhateverNumberOfQueuesTheyRead(int queues)
    {
        var check = Check(SiloStatus.Active, new FakeProvider((command, _) => Task.FromResult<object?>(command == (int)PersistentStreamProviderCommand.GetAgentsState
            ? StreamLifecycleOptions.RunState.AgentsStarted
            : queues)), new FakeTimeProvider());

        var result = await check.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("AgentsStarted", result.Data["queueReaders"]);
        Assert.Equal(queues, result.Data["queuesRead"]);
    }

    [Fact]
    public async Task StoppedReadersAreUnhealthy()
    {
        var check = Check(SiloStatus.Active, new FakeProvider((command, _) => Task.FromResult<object?>(command == (int)PersistentStreamProviderCommand.GetAgentsState
            ? StreamLifecycleOptions.RunState.AgentsStopped
            : 0)), new FakeTimeProvider());

        var result = await check.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("AgentsStopped", result.Data["queueReaders"]);
    }

    private static ClusterHealthCheck Check(SiloStatus status, FakeProvider provider, TimeProvider time)
    {
        var services = new ServiceCollection()
            .AddKeyedSingleton<IStreamProvider>(StreamNames.Provider, provider)
            .AddSingleton(time)
            .BuildServiceProvider();
        return new ClusterHealthCheck(Oracle.With(status), services);
    }

    private static async Task<object?> Answer(FakeTimeProvider time, TimeSpan after, object answer)
    {
        await Task.Delay(after, time); // fake time: completes when the test advances the clock, no real wait
        return answer;
    }

    /// <summary>A stream provider that is also <see cref="IControllable"/>, answering commands with <c>answer</c>.</summary>
    private sealed class FakeProvider(Func<int, object?, Task<object?>> answer) : IStreamProvider, IControllable
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => StreamNames.Provider;

        public bool IsRewindable => false;

        public IAsyncStream<T> GetStream<T>(StreamId streamId) => throw new NotSupportedException();

        public Task<object?> ExecuteCommand(int command, object? arg)
        {
            Interlocked.Increment(ref _calls);
            return answer(command, arg);
        }
    }

    /// <summary>An <see cref="ISiloStatusOracle"/> whose only answer is <see cref="ISiloStatusOracle.CurrentStatus"/>.</summary>
    public class Oracle : DispatchProxy
    {
        private SiloStatus _status;

        public static ISiloStatusOracle With(SiloStatus status)
        {
            var oracle = DispatchProxy.Create<ISiloStatusOracle, Oracle>();
            ((Oracle)(object)oracle)._status = status;
            return oracle;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_" + nameof(ISiloStatusOracle.CurrentStatus)
                ? _status
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
