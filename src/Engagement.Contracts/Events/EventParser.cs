using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    /// <summary>
    /// Parses and validates one message body as the queue delivers it: bytes that must be UTF-8 text (a leading
    /// byte-order mark is skipped) of a JSON object or of base64 of one. Never throws on any input: bytes that are
    /// not UTF-8, lone surrogate escapes, bad base64, bad JSON and oversized bodies all come back as errors.
    /// </summary>
    public static EventParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            body = body[Encoding.UTF8.Preamble.Length..];
        }

        if (body.Length > MaxMessageBytes)
        {
            return EventParseResult.Invalid("body", "larger than 64 KB");
        }

        return FindInvalidUtf8(body) is { } at
            ? EventParseResult.Invalid("body", string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 text (byte {at + 1}); send UTF-8"))
            : Parse(Encoding.UTF8.GetString(body), now);
    }

    /// <summary>Parses and validates one message body (raw JSON object, or base64 of one). Never throws on any input.</summary>
    public static EventParseResult Parse(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return EventParseResult.Invalid("body", "empty");
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxMessageBytes)
        {
            return EventParseResult.Invalid("body", "larger than 64 KB");
        }

        var trimmed = text.AsSpan().Trim().TrimStart('\uFEFF');
        string json;
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            json = trimmed.ToString();
        }
        else if (DecodeBase64(trimmed, out json) is { } base64Error)
        {
            return EventParseResult.Invalid("body", base64Error);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return EventParseResult.Invalid(
                "body",
                string.Create(CultureInfo.InvariantCulture, $"malformed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"));
        }
        catch (ArgumentException)
        {
            // A .NET caller's string with a lone surrogate char cannot be transcoded to UTF-8.
            return EventParseResult.Invalid("body", "not valid Unicode text (a lone surrogate)");
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? EventParseResult.Invalid("body", "must be one JSON object, not an array")
                : Parse(document.RootElement, now);
        }
    }

    /// <summary>
    /// Parses and validates one envelope object (an element of an HTTP array, for instance): at most 64 KB of
    /// JSON, like a queue message. Never throws on any input.
    /// </summary>
    public static EventParseResult Parse(JsonElement element, DateTimeOffset now)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return EventParseResult.Invalid("body", "must be a JSON object");
        }

        if (JsonMarshal.GetRawUtf8Value(element).Length > MaxMessageBytes)
        {
            return EventParseResult.Invalid("body", "larger than 64 KB (one event's limit, the queue's own)");
        }

        try
        {
            return ParseObject(element, now);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The field readers catch what they know; this keeps "one bad message never fails a batch" for the rest.
            return EventParseResult.Invalid("body", "could not be read: " + ex.Message);
        }
    }

    private static EventParseResult ParseObject(JsonElement element, DateTimeOffset now)
    {
        var errors = new List<EventValidationError>();
        var reader = new FieldReader(element, errors);

        var eventId = reader.String("eventId");
        var type = reader.String("type");
        var memberId = reader.String("memberId");
        var occurredAt = reader.Timestamp("occurredAt");
        var amount = reader.Decimal("amount");
        var currency = reader.String("currency");
        var items = reader.Items("items");
        var properties = reader.Properties("properties");
        reader.Coupons("coupons");
        reader.MemberRef("memberRef");

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
            Currency = string.IsNullOrWhiteSpace(currency) ? EventValidator.DefaultCurrency : currency,
            Items = items,
            Properties = properties,
        };

        // A field the reader already faulted (wrong JSON type, bad timestamp) is not reported twice.
        foreach (var error in EventValidator.Validate(evt, now))
        {
            if (!errors.Exists(e => e.Field == error.Field))
            {
                errors.Add(error);
            }
        }

        return errors.Count == 0 ? EventParseResult.Valid(evt) : EventParseResult.Invalid(errors);
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

    /// <summary>Decodes base64 of UTF-8 JSON; null on success, else why not.</summary>
    private static string? DecodeBase64(ReadOnlySpan<char> text, out string json)
    {
        json = string.Empty;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
        {
            return "neither a JSON object nor base64-encoded JSON";
        }

        var bytes = buffer.AsSpan(0, written);
        if (FindInvalidUtf8(bytes) is { } at)
        {
            return string.Create(CultureInfo.InvariantCulture, $"base64 of bytes that are not UTF-8 text (decoded byte {at + 1}); encode the JSON as UTF-8");
        }

        json = StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
        var start = json.AsSpan().TrimStart();
        return start.Length > 0 && start[0] is '{' or '[' ? null : "base64 of something other than a JSON object";
    }

    // ISO-8601 date-time with an explicit offset; DateTimeOffset.TryParse alone would accept local times.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoWithOffset();

    private readonly struct FieldReader(JsonElement root, List<EventValidationError> errors)
    {
        public string? String(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(name, "must be a string"));
                return null;
            }

            return Text(value, name);
        }

        public DateTimeOffset? Timestamp(string name)
        {
            var text = String(name);
            if (text is null)
            {
                return null;
            }

            if (!IsoWithOffset().IsMatch(text)
                || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                errors.Add(new(name, "must be an ISO-8601 date-time with offset, e.g. 2026-11-23T08:39:16+08:00"));
                return null;
            }

            return at;
        }

        public decimal? Decimal(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return ReadDecimal(value, name);
        }

        public List<EventItem> Items(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new(name, "must be an array"));
                return [];
            }

            if (value.GetArrayLength() > EventBounds.MaxItems)
            {
                errors.Add(new(name, "at most 100 lines"));
                return [];
            }

            var items = new List<EventItem>();
            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var field = string.Create(CultureInfo.InvariantCulture, $"{name}[{index++}]");
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new(field, "must be an object"));
                    continue;
                }

                var line = new FieldReader(element, errors);
                items.Add(new EventItem
                {
                    Sku = line.NestedString(field, "sku"),
                    Category = line.NestedString(field, "category"),
                    Quantity = line.NestedInt(field, "quantity"),
                    UnitPrice = line.NestedDecimal(field, "unitPrice"),
                });
            }

            return items;
        }

        public Dictionary<string, string> Properties(string name)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(name, "must be an object"));
                return result;
            }

            Flatten(value, prefix: null, result);
            return result;
        }

        /// <summary>Reads <c>coupons</c> for its bounds only; the envelope does not carry coupon codes yet.</summary>
        public void Coupons(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new(name, "must be an array of coupon codes"));
                return;
            }

            if (value.GetArrayLength() > EventBounds.MaxCoupons)
            {
                errors.Add(new(name, "at most 20 codes"));
                return;
            }

            var codes = new List<string>();
            var index = 0;
            foreach (var code in value.EnumerateArray())
            {
                var field = string.Create(CultureInfo.InvariantCulture, $"{name}[{index++}]");
                if (code.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new(field, "must be a string"));
                    continue;
                }

                codes.Add(Text(code, field) ?? string.Empty);
            }

            EventValidator.ValidateCoupons(codes, errors);
        }

        /// <summary>Reads <c>memberRef</c> for its bounds only: until identity mapping exists, memberId decides.</summary>
        public void MemberRef(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(name, "must be an object {type, value}"));
                return;
            }

            var reference = new FieldReader(value, errors);
            EventValidator.ValidateMemberRef(reference.NestedString(name, "type"), reference.NestedString(name, "value"), errors);
        }

        private void Flatten(JsonElement obj, string? prefix, Dictionary<string, string> into)
        {
            foreach (var property in obj.EnumerateObject())
            {
                string name;
                try
                {
                    name = property.Name;
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new("properties", "a key is not valid Unicode text (a lone surrogate escape such as \\ud800)"));
                    continue;
                }

                var key = prefix is null ? name : prefix + "." + name;
                var v = property.Value;
                switch (v.ValueKind)
                {
                    case JsonValueKind.Object:
                        Flatten(v, key, into);
                        break;
                    case JsonValueKind.String:
                        if (Text(v, "properties." + EventBounds.Echo(key)) is { } text)
                        {
                            into[key] = text;
                        }

                        break;
                    case JsonValueKind.True:
                        into[key] = "true";
                        break;
                    case JsonValueKind.False:
                        into[key] = "false";
                        break;
                    case JsonValueKind.Null:
                    case JsonValueKind.Undefined:
                        break;
                    default:
                        // Numbers keep the producer's own text (no float round trip); arrays stay JSON.
                        into[key] = v.GetRawText();
                        break;
                }
            }
        }

        /// <summary>
        /// The text of a JSON string, or null and an error when it is not Unicode text: a lone surrogate escape
        /// (<c>"\\ud800"</c>) is valid JSON but no string can hold it; GetString throws on it.
        /// </summary>
        private string? Text(JsonElement value, string field)
        {
            try
            {
                return value.GetString();
            }
            catch (InvalidOperationException)
            {
                errors.Add(new(field, "is not valid Unicode text (a lone surrogate escape such as \\ud800)"));
                return null;
            }
        }

        private string? NestedString(string parent, string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new($"{parent}.{name}", "must be a string"));
                return null;
            }

            return Text(value, $"{parent}.{name}");
        }

        private int NestedInt(string parent, string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return 0;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            {
                errors.Add(new($"{parent}.{name}", "must be an integer"));
                return 0;
            }

            return number;
        }

        private decimal NestedDecimal(string parent, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? ReadDecimal(value, $"{parent}.{name}") ?? 0m
                : 0m;

        private decimal? ReadDecimal(JsonElement value, string field)
        {
            // Some producers quote amounts to keep decimals exact; accept an invariant numeric string too.
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
            {
                return number;
            }

            if (value.ValueKind == JsonValueKind.String
                && decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }

            errors.Add(new(field, "must be a number"));
            return null;
        }
    }
}
