using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The poison queue: one <c>{"reason","queue","body"}</c> JSON message per dead letter, counted with
/// <see cref="IngestionMetrics.Poisoned"/> (callers must not count again). A body too large to fit in one
/// queue message next to its reason is cut, and the message says so with <c>"bodyTruncated": true</c>.
/// Dead letters never expire (time-to-live -1 s); Azure Queues' default of 7 days would drop them unread.
/// </summary>
public sealed class AzureQueueDeadLetterSink : IDeadLetterSink
{
    // The queue limit is 64 KB; leave room for the envelope's escaping and names.
    private const int MaxMessageBytes = 64 * 1024;

    // A reason lists broken rules, each quoting at most a few words of the input; this only guards the envelope.
    private const int MaxReasonLength = 2048;

    // Azure Queues' "never expires" time-to-live. Without one a message is dropped 7 days after it is sent, and a dead
    // letter is the only copy of a refused event: it stays until someone reads and removes it (docs/publishing-events.md).
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    // Read by people in a queue browser: "≤", "会员" and the producer's quotes as written, not \u2264 or \u0022 (the
    // default encoder's HTML-safe escapes). The message is never put in a web page as is.
    private static readonly JsonWriterOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly QueueClient _queue;
    private readonly ILogger<AzureQueueDeadLetterSink> _logger;
    private volatile bool _created;

    public AzureQueueDeadLetterSink(QueueClient poisonQueue, ILogger<AzureQueueDeadLetterSink> logger)
    {
        _queue = poisonQueue;
        _logger = logger;
    }

    public string QueueName => _queue.Name;

    public async Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default)
    {
        await EnsureQueueAsync(cancellationToken);
        var message = Compose(reason, queue, body);
        var sent = await _queue.SendMessageAsync(message, visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken);
        IngestionMetrics.Poisoned(reason);

        // What support traces a refused event by: its eventId and member (masked as the reason masks refused text: the
        // log travels further than the poison queue) and the letter's messageId (scripts/poison-queue.cs delete takes it).
        // The reason too: a consumer's exception message in it may name the member in full (its grain id).
        var (eventId, memberId) = DeadLetterTrace.IdsOf(body);
        _logger.LogWarning(
            "Dead-lettered event {EventId} of member {MemberId} from {Queue} to {PoisonQueue} as message {MessageId}: {Reason}",
            eventId, memberId, queue, _queue.Name, sent.Value.MessageId, DeadLetterTrace.MaskIdsIn(reason, body));
    }

    /// <summary>The poison message text; public so producers' tooling and tests read the same shape.</summary>
    public static string Compose(string reason, string queue, string body)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(body);

        // A JSON string cannot hold a lone surrogate; whatever a caller passes, the dead letter is still written.
        reason = WellFormed(reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason);
        body = WellFormed(body);
        var text = Write(reason, queue, body, truncated: false);
        if (Encoding.UTF8.GetByteCount(text) <= MaxMessageBytes)
        {
            return text;
        }

        var keep = body.Length;
        do
        {
            keep = keep * 3 / 4;
            text = Write(reason, queue, body[..keep], truncated: true);
        }
        while (Encoding.UTF8.GetByteCount(text) > MaxMessageBytes && keep > 0);

        return text;
    }

    // Encoding.UTF8 replaces a lone surrogate with U+FFFD on the way through.
    private static string WellFormed(string text) =>
        IsWellFormedUtf16(text) ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Write(string reason, string queue, string body, bool truncated)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ReadableJson))
        {
            writer.WriteStartObject();
            writer.WriteString("reason", reason);
            writer.WriteString("queue", queue);
            writer.WriteString("body", body);
            if (truncated)
            {
                writer.WriteBoolean("bodyTruncated", true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private async Task EnsureQueueAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        // Idempotent, so racing first callers need no lock.
        await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _created = true;
    }
}
