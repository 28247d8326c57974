using System.Text;
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
/// </summary>
public sealed class AzureQueueDeadLetterSink : IDeadLetterSink
{
    // The queue limit is 64 KB; leave room for the envelope's escaping and names.
    private const int MaxMessageBytes = 64 * 1024;

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
        await _queue.SendMessageAsync(message, cancellationToken);
        IngestionMetrics.Poisoned(reason);
        _logger.LogWarning("Dead-lettered a message from {Queue} to {PoisonQueue}: {Reason}", queue, _queue.Name, reason);
    }

    /// <summary>The poison message text; public so producers' tooling and tests read the same shape.</summary>
    public static string Compose(string reason, string queue, string body)
    {
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

    private static string Write(string reason, string queue, string body, bool truncated)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
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
