using Engagement.Azure.Tests.Infrastructure;

namespace Engagement.Azure.Tests.Streaming;

[Collection(FastRedeliveryCollection.Name)]
public sealed class RedeliveryTests(FastRedeliveryCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ConsumerThatFailsAtFirstStillGetsTheEventAndOnlyThenIsTheMessageDeleted()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        var firstReceives = 0;
        TestConsumer.Behave(memberId, (_, _) =>
        {
            // Fail until the test has seen a failure; the agent's retries or the queue's redelivery bring it back.
            if (Volatile.Read(ref firstReceives) == 0)
            {
                throw new InvalidOperationException("member storage is down");
            }

            return Task.CompletedTask;
        });

        await queue.SendMessageAsync(Wire.Login(memberId, "e-retry"));
        await Eventually.TrueAsync(() => TestConsumer.AttemptsFor(memberId) >= 1, Deadline, "a first, failing attempt");
        Interlocked.Increment(ref firstReceives);

        await Eventually.TrueAsync(() => TestConsumer.ReceivedBy(memberId).Count == 1, Deadline, "the event applied on redelivery");
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the message deleted once applied");
    }

    [Fact]
    public async Task MessageThatKeepsFailingIsNotDeletedButDeadLetteredOnceReceivedTooOftenAndOlderThanPoisonAfter()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        TestConsumer.Behave(memberId, (_, _) => throw new InvalidOperationException("always broken"));
        var body = Wire.Login(memberId, "e-doomed");

        await queue.SendMessageAsync(body);
        var sent = DateTimeOffset.UtcNow;

        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "dead letter after repeated failures");
        var seen = DateTimeOffset.UtcNow;
        var dead = Assert.Single(poison);

        // Received more than MaxDequeueCount (2) times, and dead-lettered only once PoisonAfter (4 s) old; it names the
        // event whose delivery kept failing (the agent gives the provider no exception, only the event's token).
        Assert.Matches(@"^delivery failed \d+ times over \d\d:\d\d:\d\d; first failure: event e-doomed: its consumer kept failing for 00:00:00\.3", dead.Reason);
        Assert.True(seen - sent >= FastRedeliveryCluster.PoisonAfter - TimeSpan.FromSeconds(1), $"dead-lettered {seen - sent} after the send");
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(body, dead.Body);
        Assert.True(TestConsumer.AttemptsFor(memberId) >= 2, "the consumer saw the message on each of the two receives");
        Assert.Empty(TestConsumer.ReceivedBy(memberId));
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the dead letter removed from the source queue");
    }
}

/// <summary>A storage outage must not send valid events to the poison queue (PoisonAfter, 24 h by default).</summary>
[Collection(OutageRedeliveryCollection.Name)]
public sealed class OutageRedeliveryTests(OutageRedeliveryCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task APurchaseWhoseMemberStorageIsDownForElevenDeliveriesIsAppliedAndNotDeadLettered()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        TestConsumer.Behave(memberId, (_, attempt) => attempt <= 11
            ? throw new global::Azure.RequestFailedException(503, "Server Busy (member state table, injected)")
            : Task.CompletedTask);

        await queue.SendMessageAsync(Wire.Purchase(memberId, "e-outage", amount: 100m, minutesAgo: 5));

        // Far more receives than MaxDequeueCount (2): each failed delivery is abandoned and comes back after 2 s.
        var applied = await Eventually.ReturnsAsync(() => Task.FromResult(TestConsumer.ReceivedBy(memberId)), r => r.Count > 0, Deadline, "the purchase applied after the outage");
        Assert.Equal("e-outage", Assert.Single(applied).EventId);
        Assert.True(TestConsumer.AttemptsFor(memberId) >= 12, "eleven failed deliveries before the one that applied it");
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the message deleted once applied");
        Assert.Empty(await fixture.PoisonWithAsync(memberId));
    }

    [Fact]
    public async Task AFailingMessageAboutToExpireIsDeadLetteredBeforePoisonAfterRatherThanLost()
    {
        // A producer may send with a time-to-live shorter than PoisonAfter (24 h here): such a message, received too
        // often, would expire on the queue uncounted. Once too little life is left for another delivery it goes to poison.
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        TestConsumer.Behave(memberId, (_, _) => throw new InvalidOperationException("always broken"));

        await queue.SendMessageAsync(Wire.Login(memberId, "e-short-lived"), timeToLive: TimeSpan.FromSeconds(30));

        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "the short-lived message dead-lettered");
        Assert.Contains("expires", Assert.Single(poison).Reason, StringComparison.Ordinal);
    }
}
