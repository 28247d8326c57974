using System.Reflection;
using Engagement.Azure.Streaming;
using Engagement.Contracts.Events;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization.Invocation;
using Orleans.Streams;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// What the poison reason's filter reads of a pulling agent's delivery: the batch argument alone, never the stream id
/// beside it (a struct, boxed by every read), so its own check allocates nothing per delivery.
/// </summary>
public sealed class ConsumerFailureFilterTests
{
    [Fact]
    public void ADeliveryIsKnownByItsBatchArgumentAloneWithoutReadingTheStreamId()
    {
        var batch = new EngagementBatchContainer
        {
            StreamId = StreamId.Create(StreamNames.MemberEvents, "M000108"),
            Event = new EngagementEvent { EventId = "e1", Type = EventTypes.Login, MemberId = "M000108", OccurredAt = ReceiverRig.OccurredAt },
            Token = new EventSequenceTokenV2(42),
        };
        var delivery = new DeliverBatchCall(batch);

        Assert.Equal(42, ConsumerFailureFilter.DeliveredSequence(delivery));
        Assert.Equal([2], delivery.Read);

        var other = new DeliverBatchCall(null);
        Assert.Null(ConsumerFailureFilter.DeliveredSequence(other));
        Assert.Equal([2], other.Read);
    }

    /// <summary>
    /// IStreamConsumerExtension.DeliverBatch(subscriptionId, streamId, item, handshakeToken, cancellationToken) as Orleans
    /// 10's generated call has it, recording which arguments are read.
    /// </summary>
    private sealed class DeliverBatchCall(IBatchContainer? item) : IInvokable
    {
        public List<int> Read { get; } = [];

        public object? GetArgument(int index)
        {
            Read.Add(index);
            return index == 2 ? item : null;
        }

        public int GetArgumentCount() => 5;

        public string GetMethodName() => "DeliverBatch";

        public string GetInterfaceName() => "Orleans.Streams.IStreamConsumerExtension";

        public string GetActivityName() => "IStreamConsumerExtension/DeliverBatch";

        public Type GetInterfaceType() => throw new NotSupportedException();

        public MethodInfo GetMethod() => throw new NotSupportedException();

        public object? GetTarget() => throw new NotSupportedException();

        public void SetTarget(ITargetHolder holder) => throw new NotSupportedException();

        public ValueTask<Response> Invoke() => throw new NotSupportedException();

        public void SetArgument(int index, object value) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
