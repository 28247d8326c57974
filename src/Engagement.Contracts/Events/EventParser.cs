using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Engagement.Contracts.Events;

/// <summary>
/// Reads the event envelope of CONTRACT.md §1 from a queue message or an HTTP body. The envelope is read
/// field by field (not bound by a serializer) so that every error names its field, and so that producers in
/// other languages get the same answer for the same text. Raw JSON and base64 of JSON are both accepted.
/// </summary>
public static partial class EventParser
{
    /// <summary>The largest message accepted: the queue's own limit, and the largest event over HTTP too.</summary>
    public const int MaxMessageBytes = EventBounds.MaxEventBytes;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses and validates; on failure <paramref name="error"/> lists every broken rule as <c>field: message</c>.</summary>
    public static bool TryParse(string text, DateTimeOffset now, out EngagementEvent? evt, out string? error)
    {
        var result = Parse(text, now);
        evt = result.Event;
        error = result.ErrorMessage;
        return result.IsValid;
    }

    /// <summary>Parses and validates one event from queue bytes under the default currencies (CNY only).</summary>
    public static EventParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset now) => Parse(body, now, EventCurrencies.ProgrammeDefault);

    /// <summary>
    /// Parses and validates one event from bytes as the queue delivers them: UTF-8 text (a leading byte-order mark
    /// is skipped) of a JSON object or of base64 of one. Never throws on any input: bytes that are not UTF-8,
    /// lone surrogate escapes, bad base64, bad JSON and oversized bodies all come back as errors. A queue message
    /// may also hold an array of events: <see cref="ParseMessage(ReadOnlySpan{byte}, DateTimeOffset, EventCurrencies)"/> reads both.
    /// </summary>
    public static EventParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset now, EventCurrencies currencies) =>
        DecodeBytes(body, out var text) is { } error ? EventParseResult.Invalid([error]) : Parse(text, now, currencies);

    /// <summary>Parses and validates one message body (raw JSON object, or base64 of one) under the default currencies (CNY only).</summary>
    public static EventParseResult Parse(string? text, DateTimeOffset now) => Parse(text, now, EventCurrencies.ProgrammeDefault);

    /// <summary>Parses and validates one event (raw JSON object, or base64 of one). Never throws on any input.</summary>
    public static EventParseResult Parse(string? text, DateTimeOffset now, EventCurrencies currencies)
    {
        if (DecodeText(text, out var json, out var lead) is { } undecodable)
        {
            return EventParseResult.Invalid([undecodable]);
        }

        if (ParseJson(json, lead, out var document) is { } malformed)
        {
            return EventParseResult.Invalid([malformed]);
        }

        using (document)
        {
            return document!.RootElement.ValueKind == JsonValueKind.Array
                ? EventParseResult.Invalid("body", "must be one JSON object, not an array")
                : Parse(document.RootElement, now, currencies);
        }
    }

    /// <summary>Bytes to text: at most 64 KB, UTF-8; null when fine, else why not.</summary>
    private static EventValidationError? DecodeBytes(ReadOnlySpan<byte> body, out string text)
    {
        text = string.Empty;
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            body = body[Encoding.UTF8.Preamble.Length..];
        }

        if (body.Length > MaxMessageBytes)
        {
            return new("body", "larger than 64 KB");
        }

        if (FindInvalidUtf8(body) is { } at)
        {
            return new("body", string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 text (byte {at + 1}); send UTF-8"));
        }

        text = Encoding.UTF8.GetString(body);
        return null;
    }

    /// <summary>
    /// Message text to JSON text: raw, or decoded from base64; null when fine, else why not. <paramref name="lead"/> is what
    /// was cut from the start of raw JSON (whitespace, a byte-order mark), so a malformed JSON's line and byte are told
    /// in the message as sent; empty for base64, whose JSON is told as decoded.
    /// </summary>
    private static EventValidationError? DecodeText(string? text, out string json, out string lead)
    {
        json = string.Empty;
        lead = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new("body", "empty");
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxMessageBytes)
        {
            return new("body", "larger than 64 KB");
        }

        var trimmed = text.AsSpan().Trim().TrimStart('\uFEFF');
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            json = trimmed.ToString();
            lead = text[..(text.Length - text.AsSpan().TrimStart().TrimStart('\uFEFF').Length)];
            return null;
        }

        return DecodeBase64(trimmed, out json) is { } base64Error ? new("body", base64Error) : null;
    }

    /// <summary>JSON text to a document the caller disposes; null when fine, else why not (where, counted in <paramref name="lead"/> + <paramref name="json"/>).</summary>
    private static EventValidationError? ParseJson(string json, string lead, out JsonDocument? document)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
            return null;
        }
        catch (JsonException ex)
        {
            return new("body", MalformedJson(ex, lead));
        }
        catch (ArgumentException)
        {
            // A .NET caller's string with a lone surrogate char cannot be transcoded to UTF-8.
            return new("body", "not valid Unicode text (a lone surrogate)");
        }
    }

    /// <summary>Parses and validates one envelope object under the default currencies (CNY only).</summary>
    public static EventParseResult Parse(JsonElement element, DateTimeOffset now) => Parse(element, now, EventCurrencies.ProgrammeDefault);

    /// <summary>
    /// Parses and validates one envelope object (an element of an HTTP array, for instance): at most 64 KB of
    /// JSON, like a queue message. Never throws on any input.
    /// </summary>
    public static EventParseResult Parse(JsonElement element, DateTimeOffset now, EventCurrencies currencies) =>
        Parse(element, now, currencies, origin: null);

    // origin: where a queue message's event came from, set on the event as it is built (no copy of it afterwards).
    private static EventParseResult Parse(JsonElement element, DateTimeOffset now, EventCurrencies currencies, (string Queue, string Text, int? Index, int? Size)? origin)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return EventParseResult.Invalid("body", "must be a JSON object");
        }

        if (JsonMarshal.GetRawUtf8Value(element).Length > MaxMessageBytes)
        {
            return EventParseResult.Invalid("body", "larger than 64 KB (one event's limit, the queue's own)");
        }

        if (RepeatedFields(element) is { Count: > 0 } repeated)
        {
            return EventParseResult.Invalid(repeated);
        }

        try
        {
            return ParseObject(element, now, currencies, origin);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The field readers catch what they know; this keeps "one bad message never fails a batch" for the rest.
            return EventParseResult.Invalid("body", "could not be read: " + ex.Message);
        }
    }

    private static EventParseResult ParseObject(JsonElement element, DateTimeOffset now, EventCurrencies currencies, (string Queue, string Text, int? Index, int? Size)? origin)
    {
        var errors = new List<EventValidationError>();
        var reader = new EventFieldReader(element, errors);

        var eventId = reader.String("eventId");
        var type = reader.String("type");
        var memberId = reader.String("memberId");
        var occurredAt = reader.Timestamp("occurredAt");
        var amount = reader.Decimal("amount");
        var currency = reader.String("currency");
        var items = reader.Items("items");
        var properties = reader.Properties("properties");
        var coupons = reader.Coupons("coupons");
        reader.MemberRef("memberRef");
        RefuseMiscased(element, errors);
        currency = string.IsNullOrWhiteSpace(currency) ? currencies.ProgrammeCurrency : currency;

        // One form per amount, at its currency's minor unit (CONTRACT.md §1): 12.5 and 12.50000 CNY are both 12.50, so an
        // amount is stored and shown the same however its producer wrote it. One with more decimals keeps its value and
        // is refused by the validator below, never rounded.
        if (amount is { } sent && currencies.TryGetDecimals(currency, out var decimals))
        {
            amount = ExactDecimal.AtScale(sent, decimals);
        }

        var evt = new EngagementEvent
        {
            EventId = eventId ?? string.Empty,
            Type = type ?? string.Empty,
            MemberId = memberId ?? string.Empty,
            OccurredAt = occurredAt ?? default,
            StoreId = reader.String("storeId"),
            RegionId = reader.String("regionId"),
            Channel = reader.String("channel"),
            OrderId = reader.String("orderId"),
            Amount = amount,
            Currency = currency,
            Items = items,
            Properties = properties,
            Coupons = coupons,
            SourceQueue = origin?.Queue,
            SourceText = origin?.Text,
            SourceBatchIndex = origin?.Index,
            SourceBatchSize = origin?.Size,
        };

        // A field the reader already faulted (wrong JSON type, bad timestamp) is not reported twice.
        foreach (var error in EventValidator.Validate(evt, now, currencies))
        {
            if (!errors.Exists(e => e.Field == error.Field))
            {
                errors.Add(error);
            }
        }

        return errors.Count == 0 ? EventParseResult.Valid(evt) : EventParseResult.Invalid(errors);
    }

    /// <summary>CONTRACT.md §1's envelope fields, spelled as there: names are case-sensitive.</summary>
    private static readonly string[] EnvelopeFields = ["eventId", "type", "memberId", "occurredAt", "storeId", "regionId", "channel", "orderId", "amount", "currency", "items", "properties", "coupons", "memberRef"];

    /// <summary>The fields of one <c>items</c> line.</summary>
    private static readonly string[] ItemFields = ["sku", "category", "quantity", "unitPrice"];

    /// <summary>
    /// Refuses a field that names a contract field in other letter case (<c>Currency</c>, <c>storeID</c>, <c>items[0].UnitPrice</c>):
    /// read as unknown it was ignored, and <c>"Currency":"USD"</c> applied 12 USD as 12 CNY. Other unknown fields stay
    /// ignored (forward compatibility).
    /// </summary>
    private static void RefuseMiscased(JsonElement element, List<EventValidationError> errors)
    {
        RefuseMiscased(element, EnvelopeFields, "", errors);
        if (element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    RefuseMiscased(item, ItemFields, string.Create(CultureInfo.InvariantCulture, $"items[{i}]."), errors);
                }

                i++;
            }
        }
    }

    private static void RefuseMiscased(JsonElement element, string[] names, string prefix, List<EventValidationError> errors)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(names, property.Name) < 0 && Array.Find(names, n => string.Equals(n, property.Name, StringComparison.OrdinalIgnoreCase)) is { } meant)
            {
                // The field by its contract spelling: the sender's spelling becomes the poison counter's reason tag
                // (IngestionMetrics.ReasonCategory), one series per spelling. The message keeps what was sent.
                errors.Add(new(prefix + meant, $"`{property.Name}`: field names are case-sensitive; did you mean `{meant}`?"));
            }
        }
    }

    /// <summary>The offset of the first byte that is not part of well-formed UTF-8, or null when all of it is.</summary>
    public static int? FindInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return null;
        }

        var at = 0;
        while (at < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return null;
    }

    /// <summary>
    /// Decodes base64 of UTF-8 JSON; null on success, else why not. Text that is not base64, or whose letters happen to
    /// decode as base64 (<c>hello123</c>) to something that does not start as JSON does, is "neither a JSON object nor
    /// base64-encoded JSON" with its first characters, masked (<see cref="RefusedTextPrefix"/>); base64 of UTF-16 or
    /// UTF-32 is named as such (CONTRACT.md §1 asks for UTF-8); only base64 that decodes to a <c>{</c> or <c>[</c> is
    /// judged as JSON (its bytes not UTF-8: the producer's encoding is named).
    /// </summary>
    private static string? DecodeBase64(ReadOnlySpan<char> text, out string json)
    {
        json = string.Empty;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        var decoded = Convert.TryFromBase64Chars(text, buffer, out var written);
        if (decoded && WideEncoding(buffer.AsSpan(0, written)) is { } wide)
        {
            // A Windows tool's "Unicode": valid base64 whose bytes are not UTF-8, said as such rather than as no JSON at all.
            return $"base64 of {wide} text; only UTF-8 is accepted (CONTRACT.md §1): encode the JSON as UTF-8";
        }

        if (!decoded || !StartsAsJson(buffer.AsSpan(0, written)))
        {
            return string.Create(CultureInfo.InvariantCulture, $"neither a JSON object nor base64-encoded JSON (the text starts \"{RefusedTextPrefix.Of(text)}\")");
        }

        var bytes = buffer.AsSpan(0, written);
        if (FindInvalidUtf8(bytes) is { } at)
        {
            return string.Create(CultureInfo.InvariantCulture, $"base64 of bytes that are not UTF-8 text (decoded byte {at + 1}); encode the JSON as UTF-8");
        }

        json = StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
        return null;
    }

    /// <summary>
    /// The encoding of decoded bytes that are UTF-16 or UTF-32 (by their byte-order mark, or by a <c>{</c> or <c>[</c> with
    /// zero bytes beside it, past JSON whitespace in the same width: pretty-printed JSON may start with a newline), e.g.
    /// <c>UTF-16 (little-endian, with a byte-order mark)</c>; null for anything else.
    /// </summary>
    private static string? WideEncoding(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0xFF, 0xFE, 0x00, 0x00, ..] => "UTF-32 (little-endian, with a byte-order mark)",
        [0x00, 0x00, 0xFE, 0xFF, ..] => "UTF-32 (big-endian, with a byte-order mark)",
        [0xFF, 0xFE, ..] => "UTF-16 (little-endian, with a byte-order mark)",
        [0xFE, 0xFF, ..] => "UTF-16 (big-endian, with a byte-order mark)",
        _ when OpensInWidth(bytes, 4, bigEndian: false) => "UTF-32 (little-endian)",
        _ when OpensInWidth(bytes, 4, bigEndian: true) => "UTF-32 (big-endian)",
        _ when OpensInWidth(bytes, 2, bigEndian: false) => "UTF-16 (little-endian)",
        _ when OpensInWidth(bytes, 2, bigEndian: true) => "UTF-16 (big-endian)",
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="bytes"/>, read as code units of <paramref name="width"/> bytes whose other bytes are zero,
    /// start with JSON whitespace (space, tab, CR, LF) or nothing, then <c>{</c> or <c>[</c>.
    /// </summary>
    private static bool OpensInWidth(ReadOnlySpan<byte> bytes, int width, bool bigEndian)
    {
        for (var at = 0; at + width <= bytes.Length; at += width)
        {
            var unit = bytes.Slice(at, width);
            if ((bigEndian ? unit[..^1] : unit[1..]).ContainsAnyExcept((byte)0))
            {
                return false;
            }

            switch (bigEndian ? unit[^1] : unit[0])
            {
                case (byte)'{' or (byte)'[':
                    return true;
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Whether decoded bytes start, past a UTF-8 byte-order mark and JSON whitespace, with <c>{</c> or <c>[</c>.</summary>
    private static bool StartsAsJson(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        bytes = bytes.TrimStart(" \t\r\n"u8);
        return bytes.Length > 0 && bytes[0] is (byte)'{' or (byte)'[';
    }
}
