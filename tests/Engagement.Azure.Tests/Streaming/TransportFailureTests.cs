using Azure.Core;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// Storage calls that fail as a dropped connection does once the SDK's retries are used up: an
/// <see cref="AggregateException"/>, not a <c>RequestFailedException</c>. The receiver carries on: no valid event
/// beside a bad one is lost or dead-lettered (CONTRACT.md §1), nothing stays held undelivered, renewing goes on.
/// </summary>
public sealed class TransportFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ABatchWhoseRewriteFailsKeepsItsValidEventAndDeadLettersTheBadOneOnce()
    {
        await using var rig = new ReceiverRig(transportFaults: true);
        await rig.InitializeAsync();
        await rig.SendAsync("[" + ReceiverRig.Purchase("M1", "good-1") + "," + ReceiverRig.Login("..", "bad-1") + "]");
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5));
        rig.Faults.Failing = RequestMethod.Put;

        var batch = ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32));

        Assert.Equal(2, rig.Faults.Failed);
        Assert.Equal(["good-1"], batch.Select(c => c.Event.EventId));
        var dead = Assert.Single(await rig.PoisonAsync());
        Assert.Contains("event [1] of 2", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(1, receiver.Leases.HeldEvents);
    }

    [Fact]
    public async Task ADeadLetteredMessageWhoseDeleteFailsDoesNotCostTheMessageReceivedBeforeIt()
    {
        await using var rig = new ReceiverRig(transportFaults: true);
        await rig.InitializeAsync();
        await rig.SendAsync(ReceiverRig.Purchase("M1", "good-1"), ReceiverRig.Login("..", "bad-1"));
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5));
        rig.Faults.Failing = RequestMethod.Delete;

        var batch = ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32));

        Assert.Equal(2, rig.Faults.Failed);
        Assert.Equal(["good-1"], batch.Select(c => c.Event.EventId));
        Assert.Single(await rig.PoisonAsync());
        Assert.Equal(1, receiver.Leases.HeldEvents);
    }

    [Fact]
    public async Task DeletesThatFailAfterDeliveryLeaveNothingHeldAndEveryDeleteIsTried()
    {
        await using var rig = new ReceiverRig(transportFaults: true);
        await rig.InitializeAsync();
        await rig.SendAsync([.. Enumerable.Range(0, 8).Select(i => ReceiverRig.Login("M" + i, "e" + i))]);
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5));
        var batch = await receiver.GetQueueMessagesAsync(32);
        Assert.Equal(8, batch.Count);
        rig.Faults.Failing = RequestMethod.Delete;

        await receiver.MessagesDeliveredAsync(batch);

        // Each of the 8 deletes tried twice; the messages reappear after their timeout and are deduped by eventId.
        Assert.Equal(16, rig.Faults.Failed);
        Assert.Equal(0, receiver.Leases.HeldEvents);
        Assert.Equal(0, receiver.Leases.Count);
    }

    [Fact]
    public async Task ARenewalThatMeetsAnOutageIsTriedAgainOnTheNextTickAndShutdownStillReleases()
    {
        await using var rig = new ReceiverRig(transportFaults: true);
        await rig.InitializeAsync();
        await rig.SendAsync(ReceiverRig.Purchase("M1", "good-1"));
        var clock = new FakeTimeProvider(ReceiverRig.Start);
        var receiver = await rig.ReceiverAsync(TimeSpan.FromSeconds(30), clock);
        Assert.Single(await receiver.GetQueueMessagesAsync(32));
        rig.Faults.Failing = RequestMethod.Put;

        clock.Advance(TimeSpan.FromSeconds(15)); // half the timeout: the renewal is due, and fails
        // The fake timer's 5 s ticks fire during the advance, so the renewal may be tried on one tick or two.
        await Eventually.TrueAsync(() => rig.Faults.Failed >= 2, Deadline, "the renewal was tried (twice, with the SDK's retry)");
        rig.Faults.Failing = null;
        clock.Advance(TimeSpan.FromSeconds(5)); // the next tick

        await Eventually.TrueAsync(() => receiver.Leases.Renewals >= 1, Deadline, "renewed on the next tick");
        await receiver.Shutdown(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(async () => (await rig.Queue.PeekMessagesAsync(32)).Value.Length == 1, Deadline, "released at shutdown: visible at once");
    }
}
