using Engagement.Contracts.Events;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// One queue message as the pulling agent sees it: one event on the member's stream, with the message's
/// receipt, which <see cref="EngagementQueueReceiver.MessagesDeliveredAsync(IList{IBatchContainer}, CancellationToken)"/>
/// deletes with once the agent's cache released the item.
/// </summary>
[GenerateSerializer, Alias("engagement.queue-batch.v1")]
public sealed class EngagementBatchContainer : IBatchContainer
{
    [Id(0)] public required StreamId StreamId { get; init; }

    [Id(1)] public required EngagementEvent Event { get; init; }

    [Id(2)] public required EventSequenceTokenV2 Token { get; init; }

    public StreamSequenceToken SequenceToken => Token;

    /// <summary>Queue message id: what <see cref="EngagementQueueReceiver"/> deletes with, with <see cref="PopReceipt"/>.</summary>
    [Id(3)] public string? MessageId { get; init; }

    [Id(4)] public string? PopReceipt { get; init; }

    /// <summary>How many times the queue has handed this message out, this time included.</summary>
    [Id(5)] public long DequeueCount { get; init; }

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        if (Event is T item)
        {
            yield return Tuple.Create(item, (StreamSequenceToken)Token);
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"[{nameof(EngagementBatchContainer)} {Event.EventId} for {Event.MemberId} at {Token}]";
}
