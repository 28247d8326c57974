using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>A queue message body: one event, or a batch (CONTRACT.md §1).</summary>
public static partial class EventParser
{
    /// <summary>The most events one queue message may carry as a JSON array (CONTRACT.md §1).</summary>
    public const int MaxEventsPerMessage = 100;

    /// <summary>
    /// Parses a queue message body: one JSON object, or a JSON array of 1–100 event objects (an offline POS
    /// uploading its day), raw or base64, at most 64 KB in all. Each event of an array is validated on its own,
    /// so one bad event is refused alone. The whole message is refused when it cannot be read at all (not UTF-8,
    /// not JSON, not base64 of JSON, too large, an empty or too long array). Never throws on any input.
    /// </summary>
    public static MessageParseResult ParseMessage(ReadOnlySpan<byte> body, DateTimeOffset now) =>
        ParseMessage(body, now, EventCurrencies.ProgrammeDefault);

    /// <summary>
    /// <see cref="ParseMessage(ReadOnlySpan{byte}, DateTimeOffset)"/> under the programme's accepted currencies
    /// (CNY and those configured with a rate, CONTRACT.md §1).
    /// </summary>
    public static MessageParseResult ParseMessage(ReadOnlySpan<byte> body, DateTimeOffset now, EventCurrencies currencies) =>
        ParseMessage(body, now, currencies, sourceQueue: null);

    /// <summary>
    /// <see cref="ParseMessage(ReadOnlySpan{byte}, DateTimeOffset, EventCurrencies)"/> for a message read from
    /// <paramref name="sourceQueue"/>: each valid event carries that name and its own text
    /// (<see cref="EngagementEvent.SourceQueue"/>, <see cref="EngagementEvent.SourceText"/>), so a member that
    /// refuses it dead-letters what the producer sent (CONTRACT.md §1). Null: no origin, as the overload above.
    /// </summary>
    public static MessageParseResult ParseMessage(ReadOnlySpan<byte> body, DateTimeOffset now, EventCurrencies currencies, string? sourceQueue)
    {
        if (DecodeBytes(body, out var text) is { } undecodable)
        {
            return MessageParseResult.Refused(undecodable);
        }

        if (DecodeText(text, out var json, out var lead) is { } notJson)
        {
            return MessageParseResult.Refused(notJson);
        }

        if (ParseJson(json, lead, out var document) is { } malformed)
        {
            return MessageParseResult.Refused(malformed);
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return MessageParseResult.One(new MessageEvent(0, Parse(root, now, currencies, Origin(sourceQueue, json, null, null)), json));
            }

            var count = root.GetArrayLength();
            if (count is 0 or > MaxEventsPerMessage)
            {
                return MessageParseResult.Refused(new("body", string.Create(CultureInfo.InvariantCulture, $"an array holds 1 to {MaxEventsPerMessage} events, not {count}")));
            }

            var events = new List<MessageEvent>(count);
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                var elementText = Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(element));
                events.Add(new MessageEvent(index, Parse(element, now, currencies, Origin(sourceQueue, elementText, index, count)), elementText));
                index++;
            }

            return MessageParseResult.Batch(events);
        }
    }

    private static (string Queue, string Text, int? Index, int? Size)? Origin(string? sourceQueue, string text, int? index, int? size) =>
        sourceQueue is null ? null : (sourceQueue, text, index, size);

    /// <summary>
    /// The suffix of a dead letter's reason for event <paramref name="index"/> (0-based) of a batch message of
    /// <paramref name="size"/> events: <c> (event [1] of 3 in the message)</c>; empty when either is null (an event that
    /// was a message of its own, or did not come from a queue). The one owner of the rule: the parser's own dead letters,
    /// a member's refusal of a batch event and a held refund's dead letter all carry it (CONTRACT.md §1).
    /// </summary>
    public static string BatchPosition(int? index, int? size) => index is { } i && size is { } n
        ? string.Create(CultureInfo.InvariantCulture, $" (event [{i}] of {n} in the message)")
        : string.Empty;
}

/// <summary>What <see cref="EventParser.ParseMessage(ReadOnlySpan{byte}, DateTimeOffset, EventCurrencies)"/> made of a queue message.</summary>
public sealed record MessageParseResult
{
    private MessageParseResult(EventValidationError? error, IReadOnlyList<MessageEvent> events, bool isBatch)
    {
        Error = error;
        Events = events;
        IsBatch = isBatch;
    }

    /// <summary>Why the whole message cannot be read (it goes to the poison queue as it is); null when it could.</summary>
    public EventValidationError? Error { get; }

    /// <summary>The message's events in order, each valid or not on its own; empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<MessageEvent> Events { get; }

    /// <summary>True when the body was a JSON array (a batch), even of one event.</summary>
    public bool IsBatch { get; }

    internal static MessageParseResult Refused(EventValidationError error) => new(error, [], false);

    internal static MessageParseResult One(MessageEvent evt) => new(null, [evt], false);

    internal static MessageParseResult Batch(IReadOnlyList<MessageEvent> events) => new(null, events, true);
}

/// <summary>One event of a message: its position in the array (0 for a single object), the parse result, its JSON text.</summary>
public sealed record MessageEvent(int Index, EventParseResult Result, string Text);
