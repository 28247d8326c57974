using System.Collections.Concurrent;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>
/// Chosen members refuse a campaign's deliveries as a member whose outbox is past its byte bound does
/// (<see cref="MemberBacklogException"/> with the bound's figures), without a test having to fill hundreds of outboxes;
/// a repeat-only question is answered, as a backed-up member answers it. Installed as an outgoing grain call filter;
/// off unless a test arms it for members of its own.
/// </summary>
public sealed class BackedUpDeliveries
{
    private readonly ConcurrentDictionary<string, bool> _backedUp = new(StringComparer.Ordinal);

    /// <summary>From now on these members refuse deliveries as backed up.</summary>
    public void BackUp(IEnumerable<string> memberIds)
    {
        foreach (var id in memberIds)
        {
            _backedUp[id] = true;
        }
    }

    /// <summary>These members take deliveries again.</summary>
    public void Drain(IEnumerable<string> memberIds)
    {
        foreach (var id in memberIds)
        {
            _backedUp.TryRemove(id, out _);
        }
    }

    /// <summary>The filter: refuses an armed member's delivery before it reaches the member.</summary>
    public Task FilterAsync(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.MethodName == nameof(IMemberCampaignTarget.DeliverCampaignAsync)
            && context.Request.GetArgument(0) is CampaignDelivery { RepeatOnly: false }
            && context.TargetId.Key.ToString() is { } memberId && _backedUp.ContainsKey(memberId))
        {
            throw new MemberBacklogException(memberId, 97, OutboxBytes.Bound + 1, OutboxBytes.Bound);
        }

        return context.Invoke();
    }
}
