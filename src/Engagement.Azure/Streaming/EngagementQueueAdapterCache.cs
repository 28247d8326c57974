using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>Makes one <see cref="EngagementQueueCache"/> per queue for the pulling agents.</summary>
/// <param name="capacity">Events one queue's cache holds at most (<see cref="IngestionOptions.CacheSize"/>).</param>
/// <param name="loggerFactory">For the caches' log lines naming late events.</param>
public sealed class EngagementQueueAdapterCache(int capacity, ILoggerFactory loggerFactory) : IQueueAdapterCache
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<EngagementQueueCache>();

    public IQueueCache CreateQueueCache(QueueId queueId) => new EngagementQueueCache(capacity, EventParser.MaxEventsPerMessage, _logger);
}
