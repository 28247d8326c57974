using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// Writes an order as <c>[orderId, at, amount, points, remaining, expiresAt, refunded, pointsReversed,
/// noticeSentAt, refundEventIds, foreign, refundMarks, expired]</c>, leaving off trailing defaults; a plain purchase is about 95 bytes
/// instead of about 190. Append new fields at the end only, so stored state keeps reading. The orderId is the one the order
/// keeps (<see cref="OrderRecord.OrderId"/>) and each refund event id is written as <see cref="OrderIds.Key"/> keeps it: a long id
/// takes at most 35 bytes, and matches its refund again through <see cref="OrderIds.Contains"/>. Rows written before keys
/// were kept read as they are: their long orderId becomes its key as it is read, their long refund ids still match.
/// </summary>
public sealed class OrderRecordJsonConverter : JsonConverter<OrderRecord>
{
    public override OrderRecord Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("An order is stored as a JSON array.");
        }

        var order = new OrderRecord();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (index++)
            {
                case 0: order.OrderId = reader.GetString() ?? ""; break;
                case 1: order.At = reader.GetDateTimeOffset(); break;
                case 2: order.Amount = reader.GetDecimal(); break;
                case 3: order.Points = reader.GetInt64(); break;
                case 4: order.Remaining = reader.GetInt64(); break;
                case 5: order.ExpiresAt = reader.GetDateTimeOffset(); break;
                case 6: order.Refunded = reader.GetDecimal(); break;
                case 7: order.PointsReversed = reader.GetInt64(); break;
                case 8: order.NoticeSentAt = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset(); break;
                case 9: order.RefundEventIds = reader.TokenType == JsonTokenType.Null ? null : ReadStrings(ref reader); break;
                case 10: order.Foreign = reader.TokenType == JsonTokenType.Null ? null : ReadForeign(ref reader); break;
                case 11: order.RefundMarks = reader.TokenType == JsonTokenType.Null ? null : ReadMarks(ref reader); break;
                case 12: order.Expired = reader.GetInt64(); break;
                default: reader.Skip(); break;
            }
        }

        return order;
    }

    public override void Write(Utf8JsonWriter writer, OrderRecord value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.OrderId);
        writer.WriteStringValue(value.At);
        writer.WriteNumberValue(value.Amount);
        writer.WriteNumberValue(value.Points);
        writer.WriteNumberValue(value.Remaining);
        writer.WriteStringValue(value.ExpiresAt);

        var hasExpired = value.Expired != 0;
        var hasMarks = value.RefundMarks is { Count: > 0 };
        var hasForeign = value.Foreign is not null || hasMarks || hasExpired;
        var hasIds = value.RefundEventIds is { Count: > 0 } || hasForeign;
        var hasNotice = value.NoticeSentAt is not null;
        if (value.Refunded != 0m || value.PointsReversed != 0 || hasNotice || hasIds)
        {
            writer.WriteNumberValue(value.Refunded);
            writer.WriteNumberValue(value.PointsReversed);
        }

        if (hasNotice || hasIds)
        {
            if (value.NoticeSentAt is { } notice)
            {
                writer.WriteStringValue(notice);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        if (hasIds)
        {
            writer.WriteStartArray();
            foreach (var id in value.RefundEventIds ?? [])
            {
                writer.WriteStringValue(OrderIds.Key(id)); // a long one as its fixed-size key (OrderIds)
            }

            writer.WriteEndArray();
        }

        if (value.Foreign is { } foreign)
        {
            WriteForeign(writer, foreign);
        }
        else if (hasMarks || hasExpired)
        {
            writer.WriteNullValue();
        }

        if (hasMarks)
        {
            // Flat pairs: [at, amount, at, amount, ...].
            writer.WriteStartArray();
            foreach (var mark in value.RefundMarks!)
            {
                writer.WriteStringValue(mark.At);
                writer.WriteNumberValue(mark.Amount);
            }

            writer.WriteEndArray();
        }
        else if (hasExpired)
        {
            writer.WriteNullValue();
        }

        if (hasExpired)
        {
            writer.WriteNumberValue(value.Expired);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes a foreign amount as <c>[currency, amount, rate, refunded]</c> (shared with <see cref="OrderSummaryJsonConverter"/>).</summary>
    internal static void WriteForeign(Utf8JsonWriter writer, ForeignAmount foreign)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(foreign.Currency);
        writer.WriteNumberValue(foreign.Amount);
        writer.WriteNumberValue(foreign.Rate);
        writer.WriteNumberValue(foreign.Refunded);
        writer.WriteEndArray();
    }

    /// <summary>Reads <c>[currency, amount, rate, refunded]</c>; throws <see cref="JsonException"/> for anything else.</summary>
    internal static ForeignAmount ReadForeign(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("foreign is stored as [currency, amount, rate, refunded].");
        }

        var foreign = new ForeignAmount();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (index++)
            {
                case 0: foreign.Currency = reader.GetString() ?? ""; break;
                case 1: foreign.Amount = reader.GetDecimal(); break;
                case 2: foreign.Rate = reader.GetDecimal(); break;
                case 3: foreign.Refunded = reader.GetDecimal(); break;
                default: reader.Skip(); break;
            }
        }

        return foreign;
    }

    private static List<RefundMark> ReadMarks(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("refundMarks is stored as a flat JSON array [at, amount, ...].");
        }

        var marks = new List<RefundMark>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var at = reader.GetDateTimeOffset();
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException("refundMarks needs an amount after each instant.");
            }

            marks.Add(new RefundMark(at, reader.GetDecimal()));
        }

        return marks;
    }

    /// <summary>
    /// Reads a stored list of refund event ids (an order's or a summary's, <see cref="OrderSummaryJsonConverter"/>): a null
    /// entry (a hand-edited or faulty row) reads as empty, which no refund names, so the list never holds null (a null id
    /// failed every later write of the member and every refund's duplicate check). Throws <see cref="JsonException"/> for
    /// anything but an array of strings and nulls.
    /// </summary>
    internal static List<string> ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("refundEventIds is stored as a JSON array of strings.");
        }

        var ids = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                throw new JsonException("refundEventIds is stored as a JSON array of strings.");
            }

            ids.Add(reader.GetString() ?? "");
        }

        return ids;
    }
}
