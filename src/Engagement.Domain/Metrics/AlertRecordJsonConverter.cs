using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Stores an <see cref="AlertRecord"/> compactly, so the alert book holds every alert that can be open at once
/// (<see cref="AlertBookBounds"/>): short property names (<c>id s v t at rt m ma rm rma rv d w</c>), nulls left out, the
/// rule and region not repeated beside the alert id they are read back from (<c>{rule}:{regionId}:{episode}</c>), the
/// computed <see cref="AlertRecord.MessageId"/> not stored, and a message ending in one of the rules' fixed advice
/// sentences (<see cref="AdviceTails"/>) stored without it and the sentence's index. About 700 bytes an alert with a
/// 10-character region id became about 330. Reads that shape and the full camelCase object older books were written in
/// (property for property, <c>messageId</c> ignored). Only the stored book uses it: <c>GET /alerts</c> and the queue
/// send <c>AlertView</c>, whose shape (CONTRACT.md §5) does not change.
/// </summary>
public sealed class AlertRecordJsonConverter : JsonConverter<AlertRecord>
{
    /// <summary>
    /// The advice sentences the rules end their messages with (<see cref="AlertPolicy"/>), stored as their index.
    /// Append-only: a stored index must keep meaning the same text, so an edited sentence is added at the end (the old one
    /// kept for the alerts stored with it); a message that ends with none is stored whole.
    /// </summary>
    public static IReadOnlyList<string> AdviceTails { get; } =
    [
        ": churn-warning analysis: find the segments, stores and channels that lost active members and start win-back",
        ": benefit audit: check that the offers reach members, are worth using and can be used in store before they expire",
        ": service-process review: read those days' complaints by store and cause and fix the most frequent",
        ": points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances",
        ": points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions",
        ": check earn rules, bonus campaigns and manual adjustments of those days for points issued in error, and tell finance the liability grew",
    ];

    /// <inheritdoc />
    /// <exception cref="JsonException">The value is not an object, or a compact one has an id that names no rule and region and no <c>r</c>/<c>g</c>.</exception>
    public override AlertRecord Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var e = document.RootElement;
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("An alert record is stored as a JSON object.");
        }

        return e.TryGetProperty("id", out _) ? ReadCompact(e, options) : ReadFull(e, options);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, AlertRecord value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("id", value.AlertId);
        var (rule, region) = Split(value.AlertId);
        if (rule != value.Rule || region != value.RegionId)
        {
            writer.WriteString("r", value.Rule);
            writer.WriteString("g", value.RegionId);
        }

        writer.WriteString("s", value.State == AlertStates.Open ? "o" : value.State == AlertStates.Resolved ? "r" : value.State);
        Number(writer, "v", value.Value);
        Number(writer, "t", value.Threshold);
        writer.WriteString("at", value.RaisedAt);
        if (value.ResolvedAt is { } resolvedAt)
        {
            writer.WriteString("rt", resolvedAt);
        }

        Text(writer, "m", "ma", value.Message);
        if (value.RaisedMessage is { } raised)
        {
            Text(writer, "rm", "rma", raised);
        }

        if (value.ResolvedWithValue is { } withValue)
        {
            writer.WriteBoolean("rv", withValue);
        }

        if (value.Direction is { } direction)
        {
            writer.WriteString("d", direction);
        }

        if (value.Window is { } window)
        {
            writer.WritePropertyName("w");
            JsonSerializer.Serialize(writer, window, options);
        }

        writer.WriteEndObject();
    }

    /// <summary>The rule and region of an id <c>{rule}:{regionId}:{episode}</c> (rules have no colon; a region or anomaly source may); nulls when it is not one.</summary>
    private static (string? Rule, string? Region) Split(string alertId)
    {
        var first = alertId.IndexOf(':', StringComparison.Ordinal);
        var last = alertId.LastIndexOf(':');
        return first <= 0 || last <= first || !int.TryParse(alertId.AsSpan(last + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? (null, null)
            : (alertId[..first], alertId[(first + 1)..last]);
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void Text(Utf8JsonWriter writer, string name, string adviceName, string text)
    {
        for (var i = 0; i < AdviceTails.Count; i++)
        {
            if (text.EndsWith(AdviceTails[i], StringComparison.Ordinal))
            {
                writer.WriteString(name, text.AsSpan(0, text.Length - AdviceTails[i].Length));
                writer.WriteNumber(adviceName, i);
                return;
            }
        }

        writer.WriteString(name, text);
    }

    private static AlertRecord ReadCompact(JsonElement e, JsonSerializerOptions options)
    {
        var id = e.GetProperty("id").GetString() ?? throw new JsonException("An alert record's id is null.");
        var (rule, region) = Split(id);
        var state = String(e, "s");
        return new AlertRecord
        {
            AlertId = id,
            Rule = String(e, "r") ?? rule ?? throw new JsonException($"Alert id '{id}' names no rule and region."),
            RegionId = String(e, "g") ?? region ?? throw new JsonException($"Alert id '{id}' names no rule and region."),
            State = state == "o" ? AlertStates.Open : state == "r" ? AlertStates.Resolved : state ?? AlertStates.Open,
            Value = Double(e, "v"),
            Threshold = Double(e, "t"),
            RaisedAt = Time(e, "at") ?? default,
            ResolvedAt = Time(e, "rt"),
            Message = Joined(e, "m", "ma") ?? "",
            RaisedMessage = Joined(e, "rm", "rma"),
            ResolvedWithValue = Bool(e, "rv"),
            Direction = String(e, "d"),
            Window = Window(e, "w", options),
        };
    }

    private static AlertRecord ReadFull(JsonElement e, JsonSerializerOptions options) => new()
    {
        AlertId = String(e, "alertId") ?? throw new JsonException("An alert record has no alertId."),
        Rule = String(e, "rule") ?? "",
        RegionId = String(e, "regionId") ?? "",
        State = String(e, "state") ?? AlertStates.Open,
        Value = Double(e, "value"),
        Threshold = Double(e, "threshold"),
        RaisedAt = Time(e, "raisedAt") ?? default,
        ResolvedAt = Time(e, "resolvedAt"),
        Message = String(e, "message") ?? "",
        RaisedMessage = String(e, "raisedMessage"),
        ResolvedWithValue = Bool(e, "resolvedWithValue"),
        Direction = String(e, "direction"),
        Window = Window(e, "window", options),
    };

    private static string? Joined(JsonElement e, string name, string adviceName)
    {
        var text = String(e, name);
        if (text is null || !e.TryGetProperty(adviceName, out var index) || index.ValueKind != JsonValueKind.Number)
        {
            return text;
        }

        var i = index.GetInt32();
        return i >= 0 && i < AdviceTails.Count ? text + AdviceTails[i] : throw new JsonException($"Advice index {i} is not one of the {AdviceTails.Count} known.");
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static double? Double(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null;

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetDateTimeOffset() : null;

    private static AlertWindow? Window(JsonElement e, string name, JsonSerializerOptions options) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object ? p.Deserialize<AlertWindow>(options) : null;
}
