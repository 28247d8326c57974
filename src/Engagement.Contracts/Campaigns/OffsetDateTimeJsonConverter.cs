using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Engagement.Contracts.Campaigns;

/// <summary>
/// Reads a campaign instant (<c>validFrom</c>, <c>validUntil</c>) only as ISO-8601 with an explicit offset, as
/// CONTRACT.md §1 asks of every instant: <c>2026-12-10T00:00:00</c> has no offset, and System.Text.Json alone would
/// read it in the server's own time zone, moving the window by hours (Asia/Shanghai is UTC+8). Such text is refused
/// with a <see cref="JsonException"/>, which the API answers as a 400 naming the field. Writes the round-trip form.
/// </summary>
public sealed partial class OffsetDateTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>What the refusal says, e.g. in a 400's <c>errors.validFrom</c>.</summary>
    public const string Rule = "must be an ISO-8601 date-time with offset, e.g. 2026-11-23T08:39:16+08:00";

    /// <inheritdoc />
    /// <exception cref="JsonException">Not a string, or not ISO-8601 with an offset.</exception>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !TryParse(reader.GetString(), out var at))
        {
            throw new JsonException(Rule);
        }

        return at;
    }

    /// <summary>
    /// Reads <paramref name="text"/> as an instant only when it is ISO-8601 with an explicit offset (<see cref="Rule"/>),
    /// the same rule for a query parameter (e.g. <c>GET /audit?from=</c>, CONTRACT.md §4) as for JSON.
    /// </summary>
    /// <param name="text">The text, e.g. <c>2026-11-23T08:39:16+08:00</c> or <c>2026-11-23T00:39:16Z</c>.</param>
    /// <param name="at">The instant read, or default when the text is refused.</param>
    /// <remarks>
    /// Up to nine fractional digits are read (Go's <c>RFC3339Nano</c>, what <c>json.Marshal</c> writes for a
    /// <c>time.Time</c>); an instant keeps .NET's precision of 100 ns, the digits past the seventh rounded.
    /// </remarks>
    /// <returns>False for null, a date-time without an offset (its meaning depends on the server's time zone), a date
    /// alone, or an instant outside what <see cref="DateTimeOffset"/> holds.</returns>
    public static bool TryParse(string? text, out DateTimeOffset at)
    {
        at = default;
        return text is not null
            && IsoWithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoWithOffset();
}
