using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Called by the pulling agent of one queue when a consumer kept failing for the whole retry window. The
/// subscription is never faulted (implicit subscriptions cannot be): the failed message is flagged in the
/// cache, so it is not deleted, and <paramref name="onFailure"/> tells its receiver to stop renewing it, so the
/// queue hands it out again after the visibility timeout; after MaxDequeueCount receives, once it is also
/// PoisonAfter old, it goes to the poison queue.
/// </summary>
public sealed class EngagementStreamFailureHandler(ILogger<EngagementStreamFailureHandler> logger, Action<StreamSequenceToken?>? onFailure = null) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        IngestionMetrics.DeliveryFailed();
        onFailure?.Invoke(sequenceToken);
        logger.LogWarning(
            "Delivery on {StreamProvider} to stream {StreamId} failed at {SequenceToken}; the message stays on the queue for redelivery",
            streamProviderName,
            streamIdentity,
            sequenceToken);
        return Task.CompletedTask;
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        logger.LogWarning(
            "Subscription {SubscriptionId} on {StreamProvider} stream {StreamId} failed at {SequenceToken}",
            subscriptionId,
            streamProviderName,
            streamIdentity,
            sequenceToken);
        return Task.CompletedTask;
    }
}
