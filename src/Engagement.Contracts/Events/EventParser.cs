using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engagement.Contracts.Events;

/// <summary>
/// Reads the event envelope of CONTRACT.md §1 from a queue message or an HTTP body. The envelope is read
/// field by field (not bound by a serializer) so that every error names its field, and so that producers in
/// other languages get the same answer for the same text. Raw JSON and base64 of JSON are both accepted.
/// </summary>
public static partial class EventParser
{
    /// <summary>The largest message accepted: the queue's own limit.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>Parses and validates; on failure <paramref name="error"/> lists every broken rule as <c>field: message</c>.</summary>
    public static bool TryParse(string text, DateTimeOffset now, out EngagementEvent? evt, out string? error)
    {
        var result = Parse(text, now);
        evt = result.Event;
        error = result.ErrorMessage;
        return result.IsValid;
    }

    /// <summary>Parses and validates one message body (raw JSON object, or base64 of one) under the default currencies (CNY only).</summary>
    public static EventParseResult Parse(string? text, DateTimeOffset now) => Parse(text, now, EventCurrencies.ProgrammeDefault);

    /// <summary>Parses and validates one message body (raw JSON object, or base64 of one).</summary>
    public static EventParseResult Parse(string? text, DateTimeOffset now, EventCurrencies currencies)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return EventParseResult.Invalid("body", "empty");
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxMessageBytes)
        {
            return EventParseResult.Invalid("body", "larger than 64 KB");
        }

        var trimmed = text.AsSpan().Trim();
        string json;
        if (trimmed[0] is '{' or '[')
        {
            json = text;
        }
        else if (!TryDecodeBase64(trimmed, out json))
        {
            return EventParseResult.Invalid("body", "neither a JSON object nor base64-encoded JSON");
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

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? EventParseResult.Invalid("body", "must be one JSON object, not an array")
                : Parse(document.RootElement, now, currencies);
        }
    }

    /// <summary>Parses and validates one envelope object under the default currencies (CNY only).</summary>
    public static EventParseResult Parse(JsonElement element, DateTimeOffset now) => Parse(element, now, EventCurrencies.ProgrammeDefault);

    /// <summary>Parses and validates one envelope object (an element of an HTTP array, for instance).</summary>
    public static EventParseResult Parse(JsonElement element, DateTimeOffset now, EventCurrencies currencies)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return EventParseResult.Invalid("body", "must be a JSON object");
        }

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
        foreach (var error in EventValidator.Validate(evt, now, currencies))
        {
            if (!errors.Exists(e => e.Field == error.Field))
            {
                errors.Add(error);
            }
        }

        return errors.Count == 0 ? EventParseResult.Valid(evt) : EventParseResult.Invalid(errors);
    }

    private static bool TryDecodeBase64(ReadOnlySpan<char> text, out string json)
    {
        json = string.Empty;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
        {
            return false;
        }

        try
        {
            json = new UTF8Encoding(false, true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var start = json.AsSpan().TrimStart();
        return start.Length > 0 && start[0] is '{' or '[';
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

            return value.GetString();
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

        private static void Flatten(JsonElement obj, string? prefix, Dictionary<string, string> into)
        {
            foreach (var property in obj.EnumerateObject())
            {
                var key = prefix is null ? property.Name : prefix + "." + property.Name;
                var v = property.Value;
                switch (v.ValueKind)
                {
                    case JsonValueKind.Object:
                        Flatten(v, key, into);
                        break;
                    case JsonValueKind.String:
                        into[key] = v.GetString()!;
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

            return value.GetString();
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
