using System.Collections.Concurrent;
using Engagement.Api.Events;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// <c>POST /events</c>: a member whose apply throws fails alone; nothing valid beside it is lost (ARCHITECTURE.md
/// principle 5), and its own later events are not applied out of order.
/// </summary>
public sealed class EventBatchApplierTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private static (int, EngagementEvent) Login(int index, string member) =>
        (index, new EngagementEvent { EventId = $"e{index}", Type = EventTypes.Login, MemberId = member, OccurredAt = At.AddMinutes(index) });

    [Fact]
    public async Task AMemberThatThrowsFailsAloneAndEveryOtherMembersEventsAreApplied()
    {
        // The stuck member first, then 40 others: more members than run at once (32), so most start after the failure.
        List<(int, EngagementEvent)> valid = [Login(0, "STUCK"), Login(1, "STUCK"), .. Enumerable.Range(2, 40).Select(i => Login(i, "M" + i))];
        var applied = new ConcurrentBag<string>();

        var (outcomes, transient) = await EventBatchApplier.ApplyAsync(valid, evt =>
        {
            if (evt.MemberId == "STUCK")
            {
                throw new InvalidOperationException("state too large");
            }

            applied.Add(evt.EventId);
            return Task.FromResult(new ApplyResult { Status = ApplyStatus.Applied });
        }, NullLogger.Instance, CancellationToken.None);

        Assert.False(transient);
        Assert.Equal(40, applied.Count);
        Assert.Equal(Enumerable.Range(0, 42), outcomes.Select(o => o.Index));
        Assert.Equal([EventBatchApplier.Failed, EventBatchApplier.Failed], outcomes.Take(2).Select(o => o.Status));
        Assert.Contains("InvalidOperationException", outcomes[0].Reason, StringComparison.Ordinal);
        Assert.Contains("an earlier event of member STUCK", outcomes[1].Reason, StringComparison.Ordinal);
        Assert.All(outcomes.Skip(2), o => Assert.Equal(ApplyStatus.Applied, o.Status));
    }

    [Fact]
    public async Task TimeoutsAloneAreTransient()
    {
        var (outcomes, transient) = await EventBatchApplier.ApplyAsync([Login(0, "M1"), Login(1, "M2")], evt =>
            evt.MemberId == "M1" ? throw new TimeoutException("no answer in 30 s") : Task.FromResult(new ApplyResult { Status = ApplyStatus.Duplicate }),
            NullLogger.Instance, CancellationToken.None);

        Assert.True(transient);
        Assert.Equal((EventBatchApplier.Failed, ApplyStatus.Duplicate), (outcomes[0].Status, outcomes[1].Status));
    }
}
