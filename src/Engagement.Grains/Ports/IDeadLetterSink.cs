using System.Text.Json;

namespace Engagement.Grains.Ports;

/// <summary>
/// The poison queue (<c>engagement-events-poison</c>): a message that breaks a rule goes here with its
/// reason as <c>{"reason","queue","body"}</c>, and is counted.
/// </summary>
public interface IDeadLetterSink
{
    /// <summary>Publishes one dead letter: <paramref name="reason"/> (a sentence naming the field or rule), the queue it came from, and its body as received.</summary>
    /// <remarks>Throws what its transport throws (the Azure queue's request failure or timeout) when the message was not taken; the caller retries.</remarks>
    Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default);
}

/// <summary>The one rule for what a refused record's dead letter carries (CONTRACT.md §1).</summary>
public static class DeadLetterSinkExtensions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Publishes a refused record: the producer's own text and queue when it came from a queue (CONTRACT.md §1: the body
    /// as received), else <paramref name="fallbackQueue"/> (e.g. <c>stream:member-events</c>, <c>member:{id}</c>) and the
    /// engine's JSON copy of <paramref name="record"/> (web naming).
    /// </summary>
    /// <remarks>Throws as <see cref="IDeadLetterSink.PublishAsync"/> does.</remarks>
    public static Task PublishRefusedAsync<T>(this IDeadLetterSink sink, string reason, string? sourceQueue, string? sourceText, string fallbackQueue, T record)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return sink.PublishAsync(reason, sourceQueue ?? fallbackQueue, sourceText ?? JsonSerializer.Serialize(record, Json));
    }
}
