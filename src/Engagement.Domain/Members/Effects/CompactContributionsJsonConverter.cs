using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// Writes the contributions of a <see cref="CompactRecordMetrics"/> as the JSON objects a <see cref="MetricContribution"/>
/// is written as, without <c>id</c> and <c>memberId</c>:
/// <c>{"regionId":"east","day":"2026-01-05","sequence":3,"shard":2,"isGauge":true,"counters":{"dau":1},"revenue":12.30}</c>,
/// <c>shard</c>, <c>isGauge</c> and <c>revenue</c> left out at their defaults (0, false, 0 CNY). Written field by field:
/// a contribution waits in every state write until its aggregator confirms it. Reads that form back with an empty id
/// and no member (<see cref="CompactMetrics.Resolve"/> rebuilds both); a field it does not know is skipped. Only this
/// converter writes the form, so it reads exactly these camelCase names whatever the serializer's options.
/// </summary>
/// <exception cref="JsonException">On reading: not an array of objects, an object without <c>regionId</c>, <c>day</c> or <c>counters</c>, or a day not in <c>yyyy-MM-dd</c>.</exception>
public sealed class CompactContributionsJsonConverter : JsonConverter<IReadOnlyList<MetricContribution>>
{
    private static readonly JsonEncodedText RegionId = JsonEncodedText.Encode("regionId");
    private static readonly JsonEncodedText Day = JsonEncodedText.Encode("day");
    private static readonly JsonEncodedText Sequence = JsonEncodedText.Encode("sequence");
    private static readonly JsonEncodedText Shard = JsonEncodedText.Encode("shard");
    private static readonly JsonEncodedText IsGauge = JsonEncodedText.Encode("isGauge");
    private static readonly JsonEncodedText Counters = JsonEncodedText.Encode("counters");
    private static readonly JsonEncodedText Revenue = JsonEncodedText.Encode("revenue");

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<MetricContribution> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        Span<char> day = stackalloc char[10];
        for (var i = 0; i < value.Count; i++)
        {
            var c = value[i]; // indexed: a foreach over the interface would box an enumerator per write
            writer.WriteStartObject();
            writer.WriteString(RegionId, c.RegionId);
            c.Day.TryFormat(day, out var written, "O", CultureInfo.InvariantCulture);
            writer.WriteString(Day, day[..written]);
            writer.WriteNumber(Sequence, c.Sequence);
            if (c.Shard != 0)
            {
                writer.WriteNumber(Shard, c.Shard);
            }

            if (c.IsGauge)
            {
                writer.WriteBoolean(IsGauge, true);
            }

            writer.WriteStartObject(Counters);
            if (c.Counters is CounterMap map)
            {
                foreach (var (name, delta) in map.Entries)
                {
                    writer.WriteNumber(name, delta);
                }
            }
            else if (c.Counters is Dictionary<string, long> counters)
            {
                foreach (var (name, delta) in counters)
                {
                    writer.WriteNumber(name, delta);
                }
            }
            else
            {
                foreach (var (name, delta) in c.Counters)
                {
                    writer.WriteNumber(name, delta);
                }
            }

            writer.WriteEndObject();
            if (c.Revenue != 0)
            {
                writer.WriteNumber(Revenue, c.Revenue);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public override IReadOnlyList<MetricContribution> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartArray, "an array of contributions");
        var list = new List<MetricContribution>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "a contribution object");
            list.Add(ReadOne(ref reader));
        }

        return list;
    }

    private static MetricContribution ReadOne(ref Utf8JsonReader reader)
    {
        string? region = null;
        DateOnly? day = null;
        Dictionary<string, long>? counters = null;
        long sequence = 0;
        int shard = 0;
        var gauge = false;
        var revenue = 0m;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "regionId": region = reader.GetString(); break;
                case "day": day = DateOnly.TryParseExact(reader.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : throw new JsonException("A stored contribution's day is not yyyy-MM-dd."); break;
                case "sequence": sequence = reader.GetInt64(); break;
                case "shard": shard = reader.GetInt32(); break;
                case "isGauge": gauge = reader.GetBoolean(); break;
                case "revenue": revenue = reader.GetDecimal(); break;
                case "counters": counters = ReadCounters(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return new MetricContribution
        {
            Id = "",
            RegionId = region ?? throw new JsonException("A stored contribution has no regionId."),
            Day = day ?? throw new JsonException("A stored contribution has no day."),
            Sequence = sequence,
            Shard = shard,
            IsGauge = gauge,
            Counters = counters ?? throw new JsonException("A stored contribution has no counters."),
            Revenue = revenue,
        };
    }

    private static Dictionary<string, long> ReadCounters(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "the counters object");
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? "";
            reader.Read();
            counters[name] = reader.GetInt64();
        }

        return counters;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"A stored metrics-compact effect needs {what} here, not {reader.TokenType}.");
        }
    }
}
