using System.Globalization;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Contracts.Events;
using Engagement.Contracts.Storage;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// What one received queue message becomes (CONTRACT.md §1): its valid events go into the pulling agent's batch,
/// each with the next sequence number of its adapter (<see cref="QueueSequence"/>), and the message is held (<see cref="MessageLeases"/>) until
/// they are applied; what cannot be applied is dead-lettered (<see cref="IDeadLetterSink"/>): the whole message
/// when it cannot be read or was received more than <see cref="IngestionOptions.MaxDequeueCount"/> times, each bad
/// event of a batch message alone, with its index in the reason (the message is then rewritten without it).
/// A message received too often goes only once it is also <see cref="IngestionOptions.PoisonAfter"/> old: every
/// receive counts, those after a storage outage too, and a valid event must outlast an outage, not be dead-lettered by it.
/// One per <see cref="EngagementQueueReceiver"/>, called by its reads one at a time.
/// </summary>
internal sealed partial class MessageAdmission(
    QueueClient queue,
    IDeadLetterSink deadLetters,
    IngestionOptions options,
    MessageLeases leases,
    EventCurrencies currencies,
    TimeProvider wallClock,
    QueueSequence sequenceNumbers,
    ILogger logger)
{
    private readonly string _queueName = queue.Name;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Admits <paramref name="message"/> into <paramref name="batch"/>; returns the dead letters written (0 when
    /// all its events were admitted). Never throws for the message's content: whatever one message does, its
    /// neighbours are still delivered (an unexpected failure dead-letters it as unreadable).
    /// </summary>
    public async Task<int> AdmitAsync(QueueMessage message, DateTimeOffset now, List<IBatchContainer> batch, CancellationToken cancellationToken)
    {
        try
        {
            return await AdmitCoreAsync(message, now, batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogUnreadable(ex, message.MessageId, _queueName);
            return await DeadLetterAsync("body: could not be read (" + ex.GetType().Name + ")", message, cancellationToken) ? 1 : 0;
        }
    }

    /// <summary>
    /// Adds the message's valid events to <paramref name="batch"/> and holds the message until they are applied;
    /// dead-letters what cannot be applied: the whole message when it cannot be read, each bad event of a batch
    /// alone (its index in the reason). Returns the number of dead letters written.
    /// </summary>
    private async Task<int> AdmitCoreAsync(QueueMessage message, DateTimeOffset now, List<IBatchContainer> batch, CancellationToken cancellationToken)
    {
        if (message.DequeueCount > options.MaxDequeueCount)
        {
            // Its age by the storage service's clock (InsertedOn) against this host's wall clock, not the programme's
            // (which may be moved by days or run fast in tests): a minute of skew is nothing against PoisonAfter.
            // One that would expire before three more whole deliveries (a producer's time-to-live shorter than
            // PoisonAfter) goes now too: left on the queue it would vanish uncounted. Three, because a failed delivery
            // comes back a retry window and a visibility timeout later, plus polling (slower under load): with one the last receive before
            // the expiry could fall just outside the margin.
            var age = message.InsertedOn is { } inserted ? wallClock.GetUtcNow() - inserted : TimeSpan.MaxValue;
            var expiring = message.ExpiresOn is { } expires && expires - wallClock.GetUtcNow() < 3 * (options.VisibilityTimeout + options.DeliveryRetryWindow);
            if (age >= options.PoisonAfter || expiring)
            {
                var first = leases.TakeFirstFailure(message.MessageId) ?? "not seen by this receiver";
                var when = expiring ? $"; it expires at {message.ExpiresOn:yyyy-MM-dd'T'HH:mm:ss'Z'}, before three more deliveries could end" : "";
                var reason = string.Create(CultureInfo.InvariantCulture, $"delivery failed {message.DequeueCount - 1} times over {Whole(age)}{when}; first failure: {first}");
                return await DeadLetterAsync(reason, message, cancellationToken) ? 1 : 0;
            }

            LogKeptYoung(message.MessageId, _queueName, message.DequeueCount, Whole(age), options.PoisonAfter);
        }

        var parsed = EventParser.ParseMessage(message.Body.ToMemory().Span, now, currencies, _queueName);
        if (parsed.Error is { } unreadable)
        {
            return await DeadLetterAsync(unreadable.ToString(), message, cancellationToken) ? 1 : 0;
        }

        if (!parsed.IsBatch && parsed.Events[0].Result.Event is null)
        {
            return await DeadLetterAsync(parsed.Events[0].Result.ErrorMessage ?? "body: could not be read", message, cancellationToken) ? 1 : 0;
        }

        // A batch's bad events go first, each alone; if one cannot be written, the message waits for redelivery whole.
        var poisoned = 0;
        var total = parsed.Events.Count;
        foreach (var bad in parsed.Events.Where(e => e.Result.Event is null))
        {
            var reason = bad.Result.ErrorMessage + EventParser.BatchPosition(bad.Index, total);
            if (!await PublishDeadLetterAsync(reason, bad.Text, message.MessageId, cancellationToken))
            {
                return poisoned;
            }

            poisoned++;
        }

        var valid = parsed.Events.Where(e => e.Result.Event is not null).Select(e => e.Result.Event!).ToList();
        if (valid.Count == 0)
        {
            await DeleteDeadLetteredAsync(message, cancellationToken);
            return poisoned;
        }

        var popReceipt = message.PopReceipt;
        if (poisoned > 0)
        {
            // The message now carries only what is left to apply, so a redelivery does not dead-letter its bad events twice.
            var rest = "[" + string.Join(",", parsed.Events.Where(e => e.Result.Event is not null).Select(e => e.Text)) + "]";
            popReceipt = await RewriteAsync(message, rest, cancellationToken) ?? popReceipt;
        }

        var sequences = new List<long>(valid.Count);
        var eventIds = new List<string>(valid.Count);
        foreach (var evt in valid)
        {
            if (message.DequeueCount > 1)
            {
                // Handed out before (a failed delivery, a silo that stopped): later events of the member may have
                // been applied meanwhile; the member applies this one as of its occurredAt (CONTRACT.md §1.1).
                LogRedelivered(evt.EventId, evt.MemberId, evt.OccurredAt, message.DequeueCount, message.MessageId, _queueName);
            }

            var sequence = sequenceNumbers.Next();
            sequences.Add(sequence);
            eventIds.Add(evt.EventId);
            batch.Add(new EngagementBatchContainer
            {
                StreamId = StreamId.Create(StreamNames.MemberEvents, evt.MemberId),
                Event = evt,
                Token = new EventSequenceTokenV2(sequence),
                MessageId = message.MessageId,
                PopReceipt = popReceipt,
                DequeueCount = message.DequeueCount,
            });
        }

        // Deleted only when every one of its events has been applied (MessagesDeliveredAsync).
        leases.Hold(message.MessageId, popReceipt, sequences, eventIds);
        return poisoned;
    }

    /// <summary>A duration to the whole second, for reasons and logs.</summary>
    private static TimeSpan Whole(TimeSpan age) =>
        age == TimeSpan.MaxValue ? age : TimeSpan.FromSeconds(Math.Floor(Math.Max(0, age.TotalSeconds)));

    /// <summary>Replaces the message's content (keeping it invisible); its new pop receipt, or null when the queue refused.</summary>
    private async Task<string?> RewriteAsync(QueueMessage message, string body, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, new BinaryData(body), options.VisibilityTimeout, cancellationToken);
            return receipt.Value.PopReceipt;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // Left as it was: a redelivery dead-letters its bad events again (with the same reasons).
            LogRewriteFailed(ex, message.MessageId, _queueName);
            return null;
        }
    }

    /// <summary>Dead-letters the whole message, then deletes it; false (and the message left on the queue) when the dead letter failed.</summary>
    private async Task<bool> DeadLetterAsync(string reason, QueueMessage message, CancellationToken cancellationToken)
    {
        // Bytes that are not UTF-8 are kept as text with U+FFFD where they could not be read.
        // Dead letter first, then delete: a crash in between repeats the dead letter, never loses the message.
        if (!await PublishDeadLetterAsync(reason, message.Body.ToString(), message.MessageId, cancellationToken))
        {
            return false;
        }

        await DeleteDeadLetteredAsync(message, cancellationToken);
        return true;
    }

    private async Task<bool> PublishDeadLetterAsync(string reason, string body, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await deadLetters.PublishAsync(reason, _queueName, body, cancellationToken);
            return true;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogDeadLetterFailed(ex, messageId, _queueName);
            return false;
        }
    }

    private async Task DeleteDeadLetteredAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // Dead-lettered but still queued: it comes back, and is dead-lettered again (the reason is the same).
            LogDeleteAfterDeadLetterFailed(ex, message.MessageId, _queueName);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {MemberEventId} of member {MemberId} (occurred {OccurredAt}) is delivered again, receive {DequeueCount} of message {MessageId} on {Queue}; it may be applied after later events of the member")]
    private partial void LogRedelivered(string memberEventId, string memberId, DateTimeOffset occurredAt, long dequeueCount, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {Queue} is received for the {DequeueCount}th time but is only {Age} old; delivered again, not dead-lettered before it is {PoisonAfter} old (a storage outage must not poison valid events)")]
    private partial void LogKeptYoung(string messageId, string queue, long dequeueCount, TimeSpan age, TimeSpan poisonAfter);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} on {Queue} could not be read; it goes to the poison queue")]
    private partial void LogUnreadable(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter message {MessageId} from {Queue}; it stays on the queue")]
    private partial void LogDeadLetterFailed(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch message {MessageId} on {Queue} could not be rewritten without its dead-lettered events; a redelivery dead-letters them again")]
    private partial void LogRewriteFailed(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered message {MessageId} could not be deleted from {Queue}; it will be dead-lettered again")]
    private partial void LogDeleteAfterDeadLetterFailed(Exception ex, string messageId, string queue);
}
