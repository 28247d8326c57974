using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Contracts.Campaigns;

/// <summary>
/// <see cref="OffsetDateTimeJsonConverter"/> for an optional instant (e.g. a point value change's <c>effectiveFrom</c>):
/// JSON <c>null</c> or an absent field is null; any text must be ISO-8601 with an explicit offset (CONTRACT.md §1), else
/// a <see cref="JsonException"/> the API answers as a 400 naming the field.
/// </summary>
public sealed class OptionalOffsetDateTimeJsonConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly OffsetDateTimeJsonConverter Instant = new();

    /// <inheritdoc />
    /// <exception cref="JsonException">Not null, not a string, or not ISO-8601 with an offset.</exception>
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Instant.Read(ref reader, typeof(DateTimeOffset), options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } at)
        {
            writer.WriteStringValue(at);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
