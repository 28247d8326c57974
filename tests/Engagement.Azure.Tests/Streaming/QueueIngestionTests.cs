using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;

namespace Engagement.Azure.Tests.Streaming;

[Collection(DefaultIngestionCollection.Name)]
public sealed class QueueIngestionTests(DefaultIngestionCluster fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Task ReceivedAsync(string memberId, int count) =>
        Eventually.TrueAsync(() => TestConsumer.ReceivedBy(memberId).Count >= count, Deadline, $"{count} events delivered to {memberId}");

    [Fact]
    public async Task RawJsonOnTheQueueReachesTheMembersConsumer()
    {
        var memberId = Azurite.UniqueName("m");
        await fixture.QueueOf(memberId).SendMessageAsync(Wire.Purchase(memberId, "e-raw"));

        await ReceivedAsync(memberId, 1);

        var evt = Assert.Single(TestConsumer.ReceivedBy(memberId));
        Assert.Equal("e-raw", evt.EventId);
        Assert.Equal(EventTypes.Purchase, evt.Type);
        Assert.Equal(268.50m, evt.Amount);
        Assert.Equal("CNY", evt.Currency);
        Assert.Equal("false", evt.Properties["consent.sms"]);
    }

    [Fact]
    public async Task Base64EncodedJsonIsDeliveredToo()
    {
        var memberId = Azurite.UniqueName("m");
        await fixture.QueueOf(memberId).SendMessageAsync(Wire.Base64(Wire.Login(memberId, "e-b64")));

        await ReceivedAsync(memberId, 1);

        Assert.Equal("e-b64", Assert.Single(TestConsumer.ReceivedBy(memberId)).EventId);
    }

    [Fact]
    public async Task EventOnAnotherQueueThanThePartitionersIsStillDelivered()
    {
        var memberId = Azurite.UniqueName("m");
        var other = (QueuePartitioner.QueueIndex(memberId, QueueStreamClusterFixture.QueueCount) + 1) % QueueStreamClusterFixture.QueueCount;
        await fixture.Queue(other).SendMessageAsync(Wire.Login(memberId, "e-elsewhere"));

        await ReceivedAsync(memberId, 1);
    }

    [Fact]
    public async Task OneMembersEventsOnOneQueueArriveInOrder()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        for (var i = 0; i < 10; i++)
        {
            await queue.SendMessageAsync(Wire.Login(memberId, $"e-{i}"));
        }

        await ReceivedAsync(memberId, 10);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e-{i}"), TestConsumer.ReceivedBy(memberId).Select(e => e.EventId));
    }

    [Fact]
    public async Task MalformedMessageGoesToPoisonWithItsReasonAndTheValidOneBehindItIsDelivered()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        var garbage = "this is not json " + memberId;
        await queue.SendMessageAsync(garbage);
        await queue.SendMessageAsync(Wire.Login(memberId, "e-after-garbage"));

        await ReceivedAsync(memberId, 1);
        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "the garbage in the poison queue");

        var dead = Assert.Single(poison);
        // The member id is a code-like word: shown by its shape, digits as # and letters as x.
        var shape = string.Concat(memberId[..7].Select(c => char.IsAsciiDigit(c) ? '#' : 'x'));
        Assert.Equal($"body: neither a JSON object nor base64-encoded JSON (the text starts \"this is not json {shape}…\")", dead.Reason);
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(garbage, dead.Body);
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "source queue emptied");
    }

    [Fact]
    public async Task ALoneSurrogateLoginIsDeadLetteredAloneAndTheFivePurchasesBesideItAreApplied()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        var bad = Wire.Login(memberId, "s-\\ud800");
        await queue.SendMessageAsync(Wire.Purchase(memberId, "p1"));
        await queue.SendMessageAsync(Wire.Purchase(memberId, "p2"));
        await queue.SendMessageAsync(bad);
        for (var i = 3; i <= 5; i++)
        {
            await queue.SendMessageAsync(Wire.Purchase(memberId, $"p{i}"));
        }

        await ReceivedAsync(memberId, 5);
        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "the bad login in the poison queue");

        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], TestConsumer.ReceivedBy(memberId).Select(e => e.EventId));
        var dead = Assert.Single(poison);
        Assert.Equal(@"eventId: is not valid Unicode text (a lone surrogate escape such as \ud800)", dead.Reason);
        Assert.Equal(bad, dead.Body);
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "source queue emptied");
    }

    [Fact]
    public async Task ABatchMessageReachesEachMembersConsumerAndItsBadEventGoesToPoisonAlone()
    {
        var first = Azurite.UniqueName("m");
        var second = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(first);
        var bad = Wire.Purchase(first, "b-bad", amount: 0m);
        await queue.SendMessageAsync($"[{Wire.Purchase(first, "b-1")}, {bad}, {Wire.Login(second, "b-2")}, {Wire.Login(first, "b-3")}]");

        await ReceivedAsync(first, 2);
        await ReceivedAsync(second, 1);
        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(first), p => p.Count > 0, Deadline, "the bad event in the poison queue");

        Assert.Equal(["b-1", "b-3"], TestConsumer.ReceivedBy(first).Select(e => e.EventId));
        Assert.Equal("amount: must be > 0 and ≤ 10,000,000 for a purchase (event [1] of 4 in the message)", Assert.Single(poison).Reason);
        Assert.Equal(bad, poison[0].Body);
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the batch deleted once every event was applied");
    }

    [Fact]
    public async Task EventThatBreaksARuleIsDeadLetteredNamingTheField()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        var body = Wire.Purchase(memberId, "e-too-big", amount: 10_000_001m);
        await queue.SendMessageAsync(body);
        await queue.SendMessageAsync(Wire.Login(memberId, "e-fine"));

        await ReceivedAsync(memberId, 1);
        var poison = await Eventually.ReturnsAsync(() => fixture.PoisonWithAsync(memberId), p => p.Count > 0, Deadline, "the invalid event in the poison queue");

        Assert.Equal("amount: must be > 0 and ≤ 10,000,000 for a purchase", Assert.Single(poison).Reason);
        Assert.Equal(body, poison[0].Body);
        Assert.Equal("e-fine", Assert.Single(TestConsumer.ReceivedBy(memberId)).EventId);
    }

    [Fact]
    public async Task DeliveredMessagesAreDeletedFromTheSourceQueue()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        for (var i = 0; i < 5; i++)
        {
            await queue.SendMessageAsync(Wire.Login(memberId, $"e-{i}"));
        }

        await ReceivedAsync(memberId, 5);

        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "delivered messages deleted");
    }

    [Fact]
    public async Task MessageStaysOnTheQueueUntilTheConsumerHasFinishedApplyingItWhileTheMessagesBehindItAreDeleted()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = fixture.QueueOf(memberId);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestConsumer.Behave(memberId, async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
        });

        await queue.SendMessageAsync(Wire.Login(memberId, "e-slow"));
        await entered.Task.WaitAsync(Deadline);

        // The agent purges its cache (and deletes what it purged) before every receive. Another member's events,
        // each sent after the one before was delivered, prove five receives passed while the slow one was held.
        var other = Azurite.UniqueName("m");
        for (var i = 0; i < 5; i++)
        {
            await queue.SendMessageAsync(Wire.Login(other, $"o-{i}"));
            await ReceivedAsync(other, i + 1);
        }

        // The slow message holds only itself: the other member's messages behind it are deleted meanwhile.
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 1, Deadline, "only the slow message left");
        Assert.Empty(TestConsumer.ReceivedBy(memberId));

        release.SetResult();

        await ReceivedAsync(memberId, 1);
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the message deleted after the handler returned");
    }
}
