using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Orders;

/// <summary>
/// Writes an order summary as <c>[orderId, at, amount, points, refunded, pointsReversed, expired, refundEventIds, foreign,
/// refundMarks]</c>, leaving off trailing defaults (a plain purchase is <c>["O-1","2026-11-23T08:39:16+08:00",268.5,268]</c>;
/// foreign is null when refund marks follow and the order was paid in the programme currency). Refund marks are flat pairs
/// <c>[secondsAfterPurchase, amount, ...]</c>: a refund 20 days after its purchase is <c>1728000,310</c>, its time 7 digits
/// where an ISO instant with its offset takes 27 (a whole-second refund up to 115 days after its purchase takes at most 7
/// digits, one up to 400 days 8; a sub-second one adds its fraction, up to 8 characters); seconds keep up to 7 decimals, so
/// the instant is exact to the tick (read back in the purchase's offset).
/// Append new fields at the end only, so stored state keeps reading: a summary stored before refund marks were kept reads
/// with none. The orderId and each refund event id are written as <see cref="OrderIds.Key"/> keeps them (at most 35 bytes for
/// a long one), as <see cref="OrderRecordJsonConverter"/> writes them.
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
                case 7: summary.RefundEventIds = reader.TokenType == JsonTokenType.Null ? null : OrderRecordJsonConverter.ReadStrings(ref reader); break; // a null entry reads as empty, as an order's
                case 8: summary.Foreign = reader.TokenType == JsonTokenType.Null ? null : OrderRecordJsonConverter.ReadForeign(ref reader); break;
                case 9: summary.RefundMarks = reader.TokenType == JsonTokenType.Null ? null : ReadMarks(ref reader, summary.At); break;
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

        // How many of the optional fields (4..9) to write: up to the last one that is not its default.
        var hasMarks = value.RefundMarks is { Count: > 0 };
        var count = hasMarks ? 6
            : value.Foreign is not null ? 5
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
                writer.WriteStringValue(OrderIds.Key(id)); // a long one as its fixed-size key (OrderIds), as OrderRecordJsonConverter
            }

            writer.WriteEndArray();
        }

        if (value.Foreign is { } foreign)
        {
            OrderRecordJsonConverter.WriteForeign(writer, foreign);
        }
        else if (hasMarks)
        {
            writer.WriteNullValue();
        }

        if (hasMarks)
        {
            WriteMarks(writer, value.RefundMarks!, value.At);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes refund marks as flat pairs <c>[secondsAfterPurchase, amount, ...]</c> (seconds to the tick).</summary>
    private static void WriteMarks(Utf8JsonWriter writer, List<RefundMark> marks, DateTimeOffset purchasedAt)
    {
        writer.WriteStartArray();
        foreach (var mark in marks)
        {
            var ticks = mark.At.UtcTicks - purchasedAt.UtcTicks;
            if (ticks % TimeSpan.TicksPerSecond == 0)
            {
                writer.WriteNumberValue(ticks / TimeSpan.TicksPerSecond);
            }
            else
            {
                writer.WriteNumberValue((decimal)ticks / TimeSpan.TicksPerSecond);
            }

            writer.WriteNumberValue(mark.Amount);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Reads what <see cref="WriteMarks"/> writes; throws <see cref="JsonException"/> for anything else: a time or amount that
    /// is not a JSON number or does not fit a decimal, a time more precise than a tick, or one that puts the instant outside
    /// what <see cref="DateTimeOffset"/> holds (in UTC or in the purchase's offset).
    /// </summary>
    private static List<RefundMark> ReadMarks(ref Utf8JsonReader reader, DateTimeOffset purchasedAt)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("an order summary's refund marks are stored as a flat JSON array [secondsAfterPurchase, amount, ...].");
        }

        // Ticks a mark may lie from the purchase so that both its UTC and its local clock stay within DateTimeOffset's range.
        var minTicks = -Math.Min(purchasedAt.UtcTicks, purchasedAt.Ticks);
        var maxTicks = DateTime.MaxValue.Ticks - Math.Max(purchasedAt.UtcTicks, purchasedAt.Ticks);
        var marks = new List<RefundMark>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var seconds))
            {
                throw new JsonException("an order summary's refund mark time is not a number of seconds after the purchase.");
            }

            // Compared in seconds first: seconds × 10^7 could overflow a decimal, and the ticks a long.
            if (seconds < (decimal)minTicks / TimeSpan.TicksPerSecond || seconds > (decimal)maxTicks / TimeSpan.TicksPerSecond)
            {
                throw new JsonException("an order summary's refund mark time is outside the range of a DateTimeOffset.");
            }

            var ticks = seconds * TimeSpan.TicksPerSecond;
            if (ticks != decimal.Truncate(ticks))
            {
                throw new JsonException("an order summary's refund mark is more precise than a tick (100 ns).");
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var amount))
            {
                throw new JsonException("an order summary's refund marks need an amount (a JSON number) after each time.");
            }

            marks.Add(new RefundMark(purchasedAt.AddTicks((long)ticks), amount));
        }

        return marks;
    }
}
