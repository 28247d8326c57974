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
    public async Task MessageThatKeepsFailingIsNotDeletedButDeadLetteredAfterMaxDequeueCount()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        TestConsumer.Behave(memberId, (_, _) => throw new InvalidOperationException("always broken"));
        var body = Wire.Login(memberId, "e-doomed");

        await queue.SendMessageAsync(body);

        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "dead letter after repeated failures");
        var dead = Assert.Single(poison);
        Assert.Equal("delivery failed 2 times", dead.Reason);
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(body, dead.Body);
        Assert.True(TestConsumer.AttemptsFor(memberId) >= 2, "the consumer saw the message on each of the two receives");
        Assert.Empty(TestConsumer.ReceivedBy(memberId));
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the dead letter removed from the source queue");
    }
}
