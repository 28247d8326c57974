using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// Writes an order summary as <c>[orderId, at, amount, points, refunded, pointsReversed, expired, refundEventIds, foreign]</c>,
/// leaving off trailing defaults (a plain purchase is <c>["O-1","2026-11-23T08:39:16+08:00",268.5,268]</c>). Append new
/// fields at the end only, so stored state keeps reading.
/// </summary>
public sealed class OrderSummaryJsonConverter : JsonConverter<OrderSummary>
{
    /// <summary>Reads the positional array; throws <see cref="JsonException"/> for anything else.</summary>
    public override OrderSummary Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("An order summary is stored as a JSON array.");
        }

        var summary = new OrderSummary();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (index++)
            {
                case 0: summary.OrderId = reader.GetString() ?? ""; break;
                case 1: summary.At = reader.GetDateTimeOffset(); break;
                case 2: summary.Amount = reader.GetDecimal(); break;
                case 3: summary.Points = reader.GetInt64(); break;
                case 4: summary.Refunded = reader.GetDecimal(); break;
                case 5: summary.PointsReversed = reader.GetInt64(); break;
                case 6: summary.Expired = reader.GetInt64(); break;
                case 7: summary.RefundEventIds = reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize<List<string>>(ref reader, options); break;
                case 8: summary.Foreign = reader.TokenType == JsonTokenType.Null ? null : OrderRecordJsonConverter.ReadForeign(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return summary;
    }

    /// <summary>Writes the positional array, trailing defaults left off.</summary>
    public override void Write(Utf8JsonWriter writer, OrderSummary value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        writer.WriteStringValue(value.OrderId);
        writer.WriteStringValue(value.At);
        writer.WriteNumberValue(value.Amount);
        writer.WriteNumberValue(value.Points);

        // How many of the optional fields (4..8) to write: up to the last one that is not its default.
        var count = value.Foreign is not null ? 5
            : value.RefundEventIds is { Count: > 0 } ? 4
            : value.Expired != 0 ? 3
            : value.PointsReversed != 0 ? 2
            : value.Refunded != 0m ? 1
            : 0;
        if (count >= 1)
        {
            writer.WriteNumberValue(value.Refunded);
        }

        if (count >= 2)
        {
            writer.WriteNumberValue(value.PointsReversed);
        }

        if (count >= 3)
        {
            writer.WriteNumberValue(value.Expired);
        }

        if (count >= 4)
        {
            writer.WriteStartArray();
            foreach (var id in value.RefundEventIds ?? [])
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        if (value.Foreign is { } foreign)
        {
            OrderRecordJsonConverter.WriteForeign(writer, foreign);
        }

        writer.WriteEndArray();
    }
}
