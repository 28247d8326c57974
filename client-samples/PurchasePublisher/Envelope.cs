using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PurchasePublisher;

/// <summary>One line of a purchase (or of a cart, or a full refund).</summary>
internal sealed record Item(string Sku, string Category, int Quantity, decimal UnitPrice);

/// <summary>
/// The event envelope of CONTRACT.md §1, written as camelCase JSON in a fixed field order.
/// Fields are plain settable values so the load generator can also build the wrong ones
/// (a missing memberId, a negative amount) that real producers send by mistake.
/// </summary>
internal sealed class Envelope
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep non-ASCII readable in the queue ("会员" rather than "\u4F1A\u5458"); bodies are not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public string? EventId { get; set; }
    public string? Type { get; set; }
    public string? MemberId { get; set; }

    /// <summary>Text, not a DateTimeOffset, so that junk can carry a wrong format.</summary>
    public string? OccurredAt { get; set; }

    public string? StoreId { get; set; }
    public string? RegionId { get; set; }
    public string? Channel { get; set; }
    public string? OrderId { get; set; }
    public decimal? Amount { get; set; }
    public string? Currency { get; set; }
    public List<Item>? Items { get; set; }

    /// <summary>Values: string, bool, int, decimal, or a nested <see cref="Properties"/> object.</summary>
    public Properties? Properties { get; set; }

    /// <summary>ISO-8601 with offset, seconds precision, in China time: 2026-11-23T08:39:16+08:00.</summary>
    public static string FormatTime(DateTimeOffset at) =>
        at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The message body: one JSON object, no line breaks.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            WriteString(w, "eventId", EventId);
            WriteString(w, "type", Type);
            WriteString(w, "memberId", MemberId);
            WriteString(w, "occurredAt", OccurredAt);
            WriteString(w, "storeId", StoreId);
            WriteString(w, "regionId", RegionId);
            WriteString(w, "channel", Channel);
            WriteString(w, "orderId", OrderId);
            if (Amount is { } amount)
            {
                w.WriteNumber("amount", amount);
            }

            WriteString(w, "currency", Currency);
            if (Items is { Count: > 0 })
            {
                w.WriteStartArray("items");
                foreach (var item in Items)
                {
                    w.WriteStartObject();
                    w.WriteString("sku", item.Sku);
                    w.WriteString("category", item.Category);
                    w.WriteNumber("quantity", item.Quantity);
                    w.WriteNumber("unitPrice", item.UnitPrice);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (Properties is { Count: > 0 })
            {
                w.WritePropertyName("properties");
                WriteObject(w, Properties);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteObject(Utf8JsonWriter w, Properties properties)
    {
        w.WriteStartObject();
        foreach (var (name, value) in properties)
        {
            switch (value)
            {
                case string s: w.WriteString(name, s); break;
                case bool b: w.WriteBoolean(name, b); break;
                case int i: w.WriteNumber(name, i); break;
                case decimal d: w.WriteNumber(name, d); break;
                case Properties nested:
                    w.WritePropertyName(name);
                    WriteObject(w, nested);
                    break;
                default: throw new InvalidOperationException($"unsupported property value {value.GetType().Name}");
            }
        }

        w.WriteEndObject();
    }
}

/// <summary>An ordered JSON object of properties (order kept so bodies are reproducible).</summary>
internal sealed class Properties : List<KeyValuePair<string, object>>
{
    public void Add(string name, object value) => Add(new KeyValuePair<string, object>(name, value));
}
