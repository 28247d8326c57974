using Engagement.Contracts.Events;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Maps member streams to queues exactly as external producers do (<see cref="QueuePartitioner"/>: FNV-1a of
/// the memberId mod N), so an Orleans producer and a Java producer put one member's events on the same
/// queue. Queues are spread evenly on the consistent ring, which is how the default balancer hands queues to silos.
/// </summary>
public sealed class EngagementQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;
    private readonly string _prefix;

    public EngagementQueueMapper(int queueCount, string queueNamePrefix)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueNamePrefix);
        _prefix = queueNamePrefix;
        _queues = new QueueId[queueCount];
        var spacing = (ulong)uint.MaxValue + 1;
        for (var i = 0; i < queueCount; i++)
        {
            var ringPosition = (uint)(spacing * (ulong)i / (ulong)queueCount);
            _queues[i] = QueueId.GetQueueId(queueNamePrefix, (uint)i, ringPosition);
        }
    }

    public int QueueCount => _queues.Length;

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    public QueueId GetQueueForStream(StreamId streamId) =>
        _queues[QueuePartitioner.QueueIndex(streamId.GetKeyAsString(), _queues.Length)];

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) =>
        _queues.Where(q => range.InRange(q.GetUniformHashCode())).ToArray();

    /// <summary>The storage queue behind a queue id: <c>{prefix}-{index}</c>.</summary>
    public string QueueName(QueueId queueId) => QueuePartitioner.QueueName(_prefix, (int)queueId.GetNumericId());
}
