using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Engagement.Azure.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A held message whose visibility runs out while its delivery still runs (a silo stalled for seconds) is received again;
/// the failure of the earlier copy, seen after that, is still the message's, and is what its poison reason names, with
/// its own time: the later copy's failure (often a knock-on one) does not replace it. The stall is forced, not waited
/// for: the test sets the held copy's visibility to 0 on Azurite, so the next receive hands it out again at once.
/// The receiver's real clock is a fake pinned 25 hours after the queue took the message (past PoisonAfter, 24 h) and
/// moved only by the test; the programme's clock is <see cref="ReceiverRig.Start"/>.
/// </summary>
public sealed class ReceivedAgainFailureTests
{
    private const string Refusal = "GrainStateTooLargeException: Refused to write member/M1, over the bound of 2,048 characters (Engagement:Storage:MaxGrainStateBytes).";
    private const string KnockOn = "TimeoutException: the member was still settling its refused write";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AFailureOfTheEarlierCopySeenAfterTheMessageCameBackIsKeptAndNamedInThePoisonReasonOverTheLaterCopysFailure()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var (receiver, wall, _) = await ReceiverForAsync(rig, ReceiverRig.Login("M1", "e-refused"));

        var first = await TakeOneAsync(receiver);
        await ComeBackAsync(rig, first);
        var second = await TakeOneAsync(receiver);
        Assert.Equal((first.MessageId, 2L), (second.MessageId, second.DequeueCount));

        // The earlier copy's delivery ends only now, refused; a minute later the newer copy's fails for a knock-on cause.
        var (firstFailedAt, dead) = await RefusedThenKnockedOnAsync(rig, receiver, wall, first, second);
        var window = new IngestionOptions().DeliveryRetryWindow;
        Assert.Equal(
            string.Create(CultureInfo.InvariantCulture, $"delivery failed 2 times over 1.01:01:00; first failure: event e-refused: its consumer kept failing for {window} (at {firstFailedAt:O}): {Refusal}"),
            dead.Reason);
    }

    [Fact]
    public async Task TheEarlierCopyIsNotRenewedOnceTheMessageCameBackAndAnUnexplainedLaterFailureDoesNotReplaceItsFailure()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var (receiver, wall, _) = await ReceiverForAsync(rig, ReceiverRig.Login("M2", "e-late"), ReceiverRig.Login("M9", "e-neighbour"));
        var held = await TakeAsync(receiver, 2);
        var first = held.Single(c => c.Event.EventId == "e-late");
        wall.Advance(TimeSpan.FromMinutes(2));
        await ComeBackAsync(rig, first);
        var second = Assert.Single(await TakeAsync(receiver, 1));

        // A renewal tick at half a timeout since the first receive: the earlier copy and the neighbour are due, the newer
        // copy (received 2 minutes later) is not. Only the neighbour is renewed: the earlier copy's receipt is stale. (Its
        // failure after that being kept over the later one's is what this test proves; before, the last failure won.)
        wall.Advance(Timeout / 2 - TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(() => receiver.Leases.Renewals >= 1, Deadline, "the neighbour renewed");
        Assert.Equal(1, receiver.Leases.Renewals);
        Assert.Equal(2, receiver.Leases.Count);

        var firstFailedAt = wall.GetUtcNow();
        receiver.DeliveryFailed(first.Token, Refusal);
        receiver.DeliveryFailed(second.Token); // its cause not seen by this silo: nothing to add to the earlier failure
        await ComeBackAsync(rig, second);

        var dead = await PoisonedAsync(rig, receiver);
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"; first failure: event e-late: its consumer kept failing for {new IngestionOptions().DeliveryRetryWindow} (at {firstFailedAt:O}): {Refusal}"), dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenBothCopiesAreAppliedOnlyTheNewerCopyDeletesTheMessage()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var logs = new LogCapture();
        var (receiver, _, _) = await ReceiverForAsync(rig, logs, ReceiverRig.Login("M3", "e-twice"));
        var first = await TakeOneAsync(receiver);
        await ComeBackAsync(rig, first);
        var second = await TakeOneAsync(receiver);

        // The earlier copy's receipt is stale: it deletes nothing, and the newer copy stays held until its event is applied.
        await receiver.MessagesDeliveredAsync([first]);
        Assert.Equal(1, await rig.CountAsync());
        Assert.Equal(1, receiver.Leases.Count);
        await receiver.MessagesDeliveredAsync([second]);
        Assert.Equal(0, await rig.CountAsync());
        Assert.Equal(0, receiver.Leases.Count);
        Assert.Empty(await rig.PoisonAsync());
        Assert.Empty(logs.Lines(LogLevel.Warning, "is no longer held"));
    }

    [Fact]
    public async Task ARenewalInFlightWhenTheMessageCameBackKeepsTheEarlierCopysEventsSoItsLaterRefusalIsThePoisonReason()
    {
        var held = new HeldUpdate();
        await using var rig = new ReceiverRig(policy: held);
        await rig.InitializeAsync();
        var logs = new LogCapture();
        var (receiver, wall, _) = await ReceiverForAsync(rig, logs, ReceiverRig.Login("M4", "e-raced"));
        var first = await TakeOneAsync(receiver);

        // The renewal tick at half a timeout sends Update Message for the earlier copy; the policy holds it before Azurite
        // sees it. Meanwhile the message comes back and is received again (Hold runs while the update is in flight).
        wall.Advance(Timeout / 2);
        await held.Entered.WaitAsync(Deadline);
        await ComeBackAsync(rig, first);
        var second = await TakeOneAsync(receiver);

        // Released, the update carries the earlier copy's stale receipt: Azurite refuses it (400/404).
        held.Release();
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Warning, "is no longer held").Count > 0, Deadline, "the held renewal refused");

        var (firstFailedAt, dead) = await RefusedThenKnockedOnAsync(rig, receiver, wall, first, second);
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"; first failure: event e-raced: its consumer kept failing for {new IngestionOptions().DeliveryRetryWindow} (at {firstFailedAt:O}): {Refusal}"), dead.Reason, StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="bodies"/> and starts a receiver whose real clock is pinned 25 hours after the queue took it.</summary>
    private static Task<(EngagementQueueReceiver Receiver, FakeTimeProvider Wall, DateTimeOffset Inserted)> ReceiverForAsync(ReceiverRig rig, params string[] bodies) =>
        ReceiverForAsync(rig, null, bodies);

    private static async Task<(EngagementQueueReceiver Receiver, FakeTimeProvider Wall, DateTimeOffset Inserted)> ReceiverForAsync(ReceiverRig rig, ILogger? logger, params string[] bodies)
    {
        await rig.SendAsync(bodies);
        var inserted = (await rig.Queue.PeekMessagesAsync(32)).Value.Max(m => m.InsertedOn!.Value);
        var wall = new FakeTimeProvider(inserted + TimeSpan.FromHours(25));
        var receiver = await rig.ReceiverAsync(Timeout, configure: o => o.MaxDequeueCount = 2, pollClock: wall, logger: logger);
        return (receiver, wall, inserted);
    }

    /// <summary>The held copy's visibility runs out now, as it would after a stall longer than the time to its renewal.</summary>
    /// <summary>
    /// The earlier copy's delivery ends refused (now), the newer copy's a minute later for a knock-on cause; the message
    /// then comes back until it is dead-lettered. Returns when the refusal was reported and the dead letter.
    /// </summary>
    private static async Task<(DateTimeOffset FirstFailedAt, PoisonMessage Dead)> RefusedThenKnockedOnAsync(
        ReceiverRig rig, EngagementQueueReceiver receiver, FakeTimeProvider wall, EngagementBatchContainer first, EngagementBatchContainer second)
    {
        var firstFailedAt = wall.GetUtcNow();
        receiver.DeliveryFailed(first.Token, Refusal);
        wall.Advance(TimeSpan.FromMinutes(1));
        receiver.DeliveryFailed(second.Token, KnockOn);
        await ComeBackAsync(rig, second);
        return (firstFailedAt, await PoisonedAsync(rig, receiver));
    }

    private static async Task ComeBackAsync(ReceiverRig rig, EngagementBatchContainer held) =>
        await rig.Queue.UpdateMessageAsync(held.MessageId, held.PopReceipt, (BinaryData?)null, TimeSpan.Zero);

    private static async Task<EngagementBatchContainer> TakeOneAsync(EngagementQueueReceiver receiver) => Assert.Single(await TakeAsync(receiver, 1));

    private static async Task<List<EngagementBatchContainer>> TakeAsync(EngagementQueueReceiver receiver, int count)
    {
        var taken = new List<EngagementBatchContainer>();
        await Eventually.TrueAsync(
            async () =>
            {
                taken.AddRange(ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32)));
                return taken.Count >= count;
            },
            Deadline,
            $"{count} messages received");
        return taken;
    }

    private static async Task<PoisonMessage> PoisonedAsync(ReceiverRig rig, EngagementQueueReceiver receiver)
    {
        var poison = await Eventually.ReturnsAsync(
            async () =>
            {
                Assert.Empty(await receiver.GetQueueMessagesAsync(32));
                return await rig.PoisonAsync();
            },
            p => p.Count > 0,
            Deadline,
            "the message dead-lettered on its third receive");
        return Assert.Single(poison);
    }

    /// <summary>Holds the first Update Message (PUT on …/messages/{id}) until <see cref="Release"/>; the rest pass.</summary>
    private sealed class HeldUpdate : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ProcessNext(message, pipeline);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Put
                && message.Request.Uri.Path.Contains("/messages/", StringComparison.Ordinal)
                && Interlocked.Exchange(ref _taken, 1) == 0)
            {
                _entered.TrySetResult();
                await _released.Task.WaitAsync(message.CancellationToken);
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
