using Engagement.Contracts.Events;
using Engagement.Domain.Members;

namespace Engagement.Grains.Members;

/// <summary>The campaign side of the member: delivery through the touch governor, control tracking, attribution.</summary>
#pragma warning disable CA1822 // stubs until the campaign side lands
public sealed partial class MemberGrain
{
    /// <summary>
    /// Called after an event was applied and durably written (not for duplicates or rejections):
    /// keeps the member index current, attributes conversions, fires triggered campaigns.
    /// Must not throw for campaign-side failures: the event is already applied.
    /// </summary>
    private Task OnEventAppliedAsync(EngagementEvent evt, EventDecision decision)
    {
        _ = evt;
        _ = decision;
        return Task.CompletedTask;
    }

    /// <summary>Called after a lifecycle tick changed the member (stage, tier, segment may have moved).</summary>
    private Task OnTickedAsync() => Task.CompletedTask;
}
