using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The queue side of the provider: Orleans producers (grains, clients) write the same JSON an external
/// producer writes, to the queue the partitioner picks; silos get one receiver per queue they own.
/// </summary>
public sealed class EngagementQueueAdapter : IQueueAdapter
{
    private readonly QueueServiceClient _service;
    private readonly EngagementQueueMapper _mapper;
    private readonly IngestionOptions _options;
    private readonly Func<IDeadLetterSink> _deadLetters;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly EventCurrencies _currencies;
    private readonly QueueHandBacks? _handBacks;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _sendQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<QueueId, EngagementQueueReceiver> _receivers = new();

    // One counter for every receiver this adapter makes: a queue's receiver is replaced when its agent restarts, and a
    // late DeliveryFailed of the old agent goes to the new receiver, whose items must not share the old numbers.
    private readonly QueueSequence _sequences = new();

    public EngagementQueueAdapter(
        string name,
        QueueServiceClient service,
        EngagementQueueMapper mapper,
        IngestionOptions options,
        Func<IDeadLetterSink> deadLetters,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        EventCurrencies? currencies = null,
        QueueHandBacks? handBacks = null)
    {
        Name = name;
        _service = service;
        _mapper = mapper;
        _options = options;
        _deadLetters = deadLetters;
        _time = time;
        _loggerFactory = loggerFactory;
        _currencies = currencies ?? EventCurrencies.ProgrammeDefault;
        _handBacks = handBacks;
    }

    public string Name { get; }

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("This provider is not rewindable; publish without a sequence token.", nameof(token));
        }

        if (!string.Equals(streamId.GetNamespace(), StreamNames.MemberEvents, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Only stream namespace '{StreamNames.MemberEvents}' is carried by this provider.", nameof(streamId));
        }

        var memberId = streamId.GetKeyAsString();
        var queue = await GetSendQueueAsync(_mapper.QueueName(_mapper.GetQueueForStream(streamId)));
        foreach (var item in events)
        {
            if (item is not EngagementEvent evt)
            {
                throw new NotSupportedException($"Only {nameof(EngagementEvent)} items can be published, not {item?.GetType().Name ?? "null"}.");
            }

            if (!string.Equals(evt.MemberId, memberId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Event {evt.EventId} is for member '{evt.MemberId}' but was published on the stream of '{memberId}'.", nameof(events));
            }

            // An Orleans producer must not be able to put on the queue what an outside producer would have refused for.
            var errors = EventValidator.Validate(evt, _time.GetUtcNow(), _currencies);
            if (errors.Count > 0)
            {
                throw new ArgumentException($"Event {evt.EventId} is invalid: {string.Join("; ", errors)}", nameof(events));
            }

            await queue.SendMessageAsync(EventSerializer.ToJson(evt));
        }
    }

    /// <summary>
    /// A receiver for <paramref name="queueId"/>'s storage queue, counted by the silo's <see cref="QueueHandBacks"/> (when
    /// given) until its shutdown has handed back. A receiver that could not be made is not counted: its exception (e.g.
    /// <see cref="ArgumentOutOfRangeException"/> for an <see cref="IngestionOptions.IdlePollMaxInterval"/> that is not
    /// positive) goes to the pulling agent, and the stop line does not wait for it.
    /// </summary>
    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var queueName = _mapper.QueueName(queueId);
        var queue = _service.GetQueueClient(queueName);
        var deadLetters = _deadLetters();
        var logger = _loggerFactory.CreateLogger<EngagementQueueReceiver>();
        var handBack = _handBacks?.Begin(queueName);
        EngagementQueueReceiver receiver;
        try
        {
            receiver = new EngagementQueueReceiver(queue, deadLetters, _options, _time, logger, _currencies, sequences: _sequences, handBack: handBack);
        }
        catch
        {
            // No receiver, so no shutdown will ever hand this back: counted, it would hold up every later stop line
            // for the whole QueueHandBackWait and name a queue that had nothing to hand back.
            handBack?.Complete();
            throw;
        }

        _receivers[queueId] = receiver;
        return receiver;
    }

    /// <summary>
    /// The pulling agent gave up delivering an item of this queue: its receiver stops holding the message;
    /// <paramref name="why"/>, the consumer's last failure if known, goes into its poison reason.
    /// </summary>
    public void DeliveryFailed(QueueId queueId, StreamSequenceToken? token, string? why = null)
    {
        if (_receivers.TryGetValue(queueId, out var receiver))
        {
            receiver.DeliveryFailed(token, why);
        }
    }

    private Task<QueueClient> GetSendQueueAsync(string queueName) =>
        _sendQueues.GetOrAdd(queueName, name => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = _service.GetQueueClient(name);
            await client.CreateIfNotExistsAsync();
            return client;
        })).Value;
}
