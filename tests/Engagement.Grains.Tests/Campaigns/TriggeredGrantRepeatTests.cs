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
    [Fact]
    public Task A_repeated_request_is_not_answered_from_a_grant_whose_write_has_not_stored_it() => StateWriteGateTests.OneTurnAtATime(async () =>
    {
        var now = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var definition = CampaignDefinitions.Normalize(CampaignTestKit.Triggered("tgr-1", now, "tgr-east", new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 5));
        var state = new CampaignGrainState();
        state.Create(definition, CampaignStatuses.Active, now, globalControlPercent: 0);
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var grants = new TriggeredGrants(
            () => state,
            new CampaignOptions { GlobalControlPercent = 0 },
            new FakeTimeProvider(now),
            () => ++writes == 1 ? firstWrite.Task : Task.FromException(new InconsistentStateException("test: the gate refuses once the first write failed")),
            _ => Task.CompletedTask);

        // The first request is counted and held, and its write is in flight; the member asks again meanwhile.
        var first = grants.RequestAsync("tgr-member");
        Assert.False(first.IsCompleted);
        Assert.Equal(1, state.Held().Grants);
        var repeat = grants.RequestAsync("tgr-member");

        // The repeat waits for a write of its own (refused here, as the gate refuses behind a failed write): no grant handed out.
        await Assert.ThrowsAsync<InconsistentStateException>(() => repeat);
        firstWrite.SetException(new InvalidOperationException("test: the storage write failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        Assert.Equal(2, writes);
    });
}
