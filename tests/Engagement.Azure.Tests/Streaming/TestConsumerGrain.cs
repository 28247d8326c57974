using System.Collections.Concurrent;
using Engagement.Contracts.Events;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Engagement.Azure.Tests.Streaming;

public interface ITestConsumerGrain : IGrainWithStringKey
{
    Task PingAsync();
}

/// <summary>
/// A stand-in for the member grain: activated by implicit subscription, one per memberId. What it does with
/// each event is set per member by the test (<see cref="TestConsumer.Behave"/>): record it, throw, or wait.
/// </summary>
[ImplicitStreamSubscription(StreamNames.MemberEvents)]
public sealed class TestConsumerGrain : Grain, ITestConsumerGrain, IStreamSubscriptionObserver, IAsyncObserver<EngagementEvent>
{
    public Task PingAsync() => Task.CompletedTask;

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EngagementEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EngagementEvent item, StreamSequenceToken? token = null)
    {
        var attempt = TestConsumer.CountAttempt(item.MemberId);
        await TestConsumer.BehaviorFor(item.MemberId)(item, attempt);
        TestConsumer.Record(item);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

/// <summary>In-process record of what the consumer grains saw; keyed by memberId, which every test makes unique.</summary>
public static class TestConsumer
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<EngagementEvent>> Received = new();
    private static readonly ConcurrentDictionary<string, Func<EngagementEvent, int, Task>> Behaviors = new();
    private static readonly ConcurrentDictionary<string, int> Attempts = new();

    public static void Behave(string memberId, Func<EngagementEvent, int, Task> behavior) => Behaviors[memberId] = behavior;

    public static IReadOnlyList<EngagementEvent> ReceivedBy(string memberId) =>
        Received.TryGetValue(memberId, out var events) ? [.. events] : [];

    public static int AttemptsFor(string memberId) => Attempts.TryGetValue(memberId, out var n) ? n : 0;

    internal static int CountAttempt(string memberId) => Attempts.AddOrUpdate(memberId, 1, (_, n) => n + 1);

    internal static Func<EngagementEvent, int, Task> BehaviorFor(string memberId) =>
        Behaviors.TryGetValue(memberId, out var behavior) ? behavior : (_, _) => Task.CompletedTask;

    internal static void Record(EngagementEvent evt) => Received.GetOrAdd(evt.MemberId, _ => new()).Enqueue(evt);
}
