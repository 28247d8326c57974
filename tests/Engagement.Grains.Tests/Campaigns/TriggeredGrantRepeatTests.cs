using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A member's repeated grant request (it interleaves with the campaign's other calls) while the first request's write is
/// still in flight: answered only once a write has stored the grant, so a member never keeps a grant the campaign's
/// storage lacks (counted nowhere, its budget not held) when that first write fails.
/// </summary>
public sealed class TriggeredGrantRepeatTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task A_repeated_request_waits_for_the_first_write_and_is_answered_only_if_it_stored_the_grant(bool firstWriteStores) => StateWriteGateTests.OneTurnAtATime(async () =>
    {
        var now = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var definition = CampaignDefinitions.Normalize(CampaignTestKit.Triggered("tgr-1", now, "tgr-east", new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 5));
        var state = new CampaignGrainState();
        state.Create(definition, CampaignStatuses.Active, now, globalControlPercent: 0);
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var failures = 0;
        var gate = new StateWriteGate(
            () => ++writes == 1 ? firstWrite.Task : Task.CompletedTask,
            () => failures++,
            ex => throw new InvalidOperationException("no action is queued here", ex));
        var grants = new TriggeredGrants(
            () => state,
            new CampaignOptions { GlobalControlPercent = 0 },
            new FakeTimeProvider(now),
            gate.WriteAsync,
            gate.SettledAsync,
            _ => Task.CompletedTask);

        // The first request is counted and held, and its write is in flight; the member asks again meanwhile.
        var first = grants.RequestAsync("tgr-member");
        Assert.False(first.IsCompleted);
        Assert.Equal(1, state.Held().Grants);
        var repeat = grants.RequestAsync("tgr-member");

        // The repeat is not answered while the write that stores the grant is in flight (let the scheduler run its turns).
        for (var turn = 0; turn < 10; turn++)
        {
            await Task.Yield();
        }

        Assert.False(repeat.IsCompleted);

        if (firstWriteStores)
        {
            firstWrite.SetResult();
            var given = await first;
            var again = await repeat;
            Assert.Equal((given.Group, given.Arm), (again.Group, again.Arm));
            Assert.NotEqual(CampaignGroups.None, again.Group);
            Assert.Equal((1, 1, 0), (writes, state.Held().Grants, failures));
        }
        else
        {
            firstWrite.SetException(new InvalidOperationException("test: the storage write failed"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => first);
            await Assert.ThrowsAsync<InconsistentStateException>(() => repeat);
            Assert.Equal((1, 1), (writes, failures));
        }
    });
}
