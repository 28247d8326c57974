using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Contracts.Json;

/// <summary>
/// Reads a whole JSON number that a <see cref="long"/> cannot hold (<c>99999999999999999999</c>, <c>1e30</c>) as the nearest
/// <see cref="long"/> (<see cref="long.MaxValue"/> or <see cref="long.MinValue"/>) instead of failing, so the request's
/// own validation tells the field's range (<c>points: must be 1–100000000</c>), as it does for 200,000,000, rather than
/// "has the wrong type": it is a number, only out of range. Anything else that is not a JSON integer (a fraction, a string,
/// <c>true</c>) is refused as before (<see cref="JsonException"/>). The queue's reader does the same for event fields
/// (<c>EventFieldReader</c>). Writes the value as a plain number.
/// </summary>
public sealed class NearestInt64JsonConverter : JsonConverter<long>
{
    /// <inheritdoc/>
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        return (long)NearestInteger.Clamped(ref reader, long.MinValue, long.MaxValue);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}

/// <summary>
/// Reads a whole JSON number that an <see cref="int"/> cannot hold (<c>3000000000</c>, <c>1e12</c>) as the nearest
/// <see cref="int"/>, so the request's own validation tells the field's range (<c>items[0].quantity: must be 0–10,000</c>)
/// rather than "has the wrong type"; as <see cref="NearestInt64JsonConverter"/>, for <see cref="int"/>.
/// </summary>
public sealed class NearestInt32JsonConverter : JsonConverter<int>
{
    /// <inheritdoc/>
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }

        return (int)NearestInteger.Clamped(ref reader, int.MinValue, int.MaxValue);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}

/// <summary>A whole JSON number clamped to a range, or a <see cref="JsonException"/> for anything else.</summary>
internal static class NearestInteger
{
    /// <summary>The JSON integer at <paramref name="reader"/> (digits, or an exponent form with no fraction), clamped to <paramref name="min"/>–<paramref name="max"/>.</summary>
    public static decimal Clamped(ref Utf8JsonReader reader, decimal min, decimal max)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"A JSON integer was expected, not {reader.TokenType}.");
        }

        var text = System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
        var negative = text.StartsWith('-');
        var digits = text.AsSpan(negative ? 1 : 0);
        if (digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9'))
        {
            // Past the range of a decimal too (29 digits and more): the nearest end.
            return decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
                ? Math.Clamp(whole, min, max)
                : negative ? min : max;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            if (number == decimal.Truncate(number))
            {
                return Math.Clamp(number, min, max);
            }
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var large) && !double.IsNaN(large))
        {
            // Past a decimal's range (about 7.9e28) every double is integral; 1e400 reads as infinity, over 300 digits.
            return negative ? min : max;
        }

        throw new JsonException("A JSON integer was expected, not a number with a fraction.");
    }
}
