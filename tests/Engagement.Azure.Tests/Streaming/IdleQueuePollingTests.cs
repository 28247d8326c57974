using Engagement.Azure.Streaming;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A quiet queue is asked less often (a tenth of its quiet time, at most <see cref="IngestionOptions.IdlePollMaxInterval"/>),
/// a busy one at once. The rule on a pinned monotonic clock, then a receiver on a real Azurite queue.
/// </summary>
public sealed class IdleQueuePollingTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AQueueThatKeepsDeliveringIsAskedAgainAtOnce()
    {
        var clock = new FakeTimeProvider(Start);
        var polling = new IdleQueuePolling(TimeSpan.FromSeconds(2), clock);
        Assert.True(polling.IsDue());

        clock.Advance(TimeSpan.FromMilliseconds(100));
        polling.Received(3);
        Assert.True(polling.IsDue());
        Assert.Equal(0, polling.Skipped);
    }

    [Fact]
    public void AnEmptyReceiveWaitsATenthOfTheQuietTime()
    {
        var clock = new FakeTimeProvider(Start);
        var polling = new IdleQueuePolling(TimeSpan.FromSeconds(2), clock);
        polling.Received(1);

        clock.Advance(TimeSpan.FromSeconds(5));
        polling.Received(0);

        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(polling.IsDue());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(polling.IsDue());
        Assert.Equal(1, polling.Skipped);
    }

    [Fact]
    public void AQueueQuietAllNightIsAskedOnceEveryMaxInterval()
    {
        var clock = new FakeTimeProvider(Start);
        var polling = new IdleQueuePolling(TimeSpan.FromSeconds(2), clock);
        polling.Received(1);
        clock.Advance(TimeSpan.FromHours(8));

        var receives = 0;
        for (var tick = 0; tick < 600; tick++)
        {
            // The pulling agent's 100 ms timer for one minute.
            if (polling.IsDue())
            {
                receives++;
                polling.Received(0);
            }

            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(30, receives);
        Assert.Equal(570, polling.Skipped);
    }

    [Fact]
    public void ABusyQueueIsNeverSlowedBelowTheAgentsTick()
    {
        var clock = new FakeTimeProvider(Start);
        var polling = new IdleQueuePolling(TimeSpan.FromSeconds(2), clock);
        for (var tick = 0; tick < 100; tick++)
        {
            // A message every 500 ms, polled every 100 ms: every poll is due (waits stay under 50 ms).
            Assert.True(polling.IsDue());
            polling.Received(tick % 5 == 0 ? 1 : 0);
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(0, polling.Skipped);
    }

    [Fact]
    public async Task AReceiverOnAQuietAzuriteQueueRestsThenReadsTheNextMessageAndIsBusyAgain()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var pollClock = new FakeTimeProvider(Start);
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5), pollClock: pollClock);

        // Quiet for a minute: one real receive finds nothing, and the queue then rests 2 s (the maximum).
        pollClock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await receiver.GetQueueMessagesAsync(32));
        Assert.Equal(1, rig.ReceiveRequests);
        await rig.SendAsync(ReceiverRig.Purchase("M-idle", "idle-1"));

        // While it rests the agent's polls do not reach the queue, and the message waits there.
        pollClock.Advance(TimeSpan.FromMilliseconds(1_900));
        Assert.Empty(await receiver.GetQueueMessagesAsync(32));
        Assert.Equal(1, rig.ReceiveRequests);
        Assert.Equal(1, await rig.CountAsync());

        pollClock.Advance(TimeSpan.FromMilliseconds(100));
        var read = ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32));
        Assert.Equal("idle-1", Assert.Single(read).Event.EventId);
        Assert.Equal(2, rig.ReceiveRequests);

        // Busy again: the next poll goes to the queue at once.
        await rig.SendAsync(ReceiverRig.Purchase("M-idle", "idle-2"));
        var next = ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32));
        Assert.Equal("idle-2", Assert.Single(next).Event.EventId);
        Assert.Equal(3, rig.ReceiveRequests);
        await receiver.MessagesDeliveredAsync([.. read, .. next]);
    }
}
