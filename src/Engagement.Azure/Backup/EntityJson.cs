using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Engagement.Azure.Backup;

/// <summary>
/// One table row as one JSON line, keeping each property's type so a restore writes back exactly what was read:
/// <c>{"pk":"…","rk":"…","p":{"Name":["s","text"],"Count":["i64","42"],…}}</c>. Type tags: <c>s</c> string,
/// <c>i32</c>, <c>i64</c> (as a string: JSON numbers lose precision past 2^53), <c>f64</c>, <c>b</c>, <c>dt</c>
/// (ISO-8601 round trip), <c>g</c> Guid, <c>bin</c> base64. The system properties Timestamp and ETag are not kept.
/// </summary>
public static class EntityJson
{
    /// <summary>Writes <paramref name="entity"/> as one line (UTF-8, ending in <c>\n</c>).</summary>
    /// <exception cref="NotSupportedException">A property has a type Azure Tables does not store.</exception>
    public static void WriteLine(TableEntity entity, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("pk", entity.PartitionKey);
            json.WriteString("rk", entity.RowKey);
            json.WriteStartObject("p");
            foreach (var (name, value) in entity.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || value is null)
                {
                    continue;
                }

                var (tag, text) = value switch
                {
                    string s => ("s", s),
                    int i => ("i32", i.ToString(CultureInfo.InvariantCulture)),
                    long l => ("i64", l.ToString(CultureInfo.InvariantCulture)),
                    double d => ("f64", d.ToString("R", CultureInfo.InvariantCulture)),
                    bool b => ("b", b ? "true" : "false"),
                    DateTimeOffset dto => ("dt", dto.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
                    DateTime dt => ("dt", dt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                    Guid g => ("g", g.ToString("D")),
                    byte[] bytes => ("bin", Convert.ToBase64String(bytes)),
                    BinaryData data => ("bin", Convert.ToBase64String(data.ToArray())),
                    _ => throw new NotSupportedException($"Property {name} of row {entity.PartitionKey}/{entity.RowKey} has type {value.GetType().Name}."),
                };
                json.WriteStartArray(name);
                json.WriteStringValue(tag);
                json.WriteStringValue(text);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <summary>Reads one line written by <see cref="WriteLine"/>.</summary>
    /// <exception cref="FormatException">The line is not a row of this format.</exception>
    public static TableEntity ReadLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var entity = new TableEntity(root.GetProperty("pk").GetString(), root.GetProperty("rk").GetString());
        foreach (var property in root.GetProperty("p").EnumerateObject())
        {
            var tag = property.Value[0].GetString();
            var text = property.Value[1].GetString() ?? throw new FormatException($"property {property.Name} has no value");
            entity[property.Name] = tag switch
            {
                "s" => text,
                "i32" => int.Parse(text, CultureInfo.InvariantCulture),
                "i64" => long.Parse(text, CultureInfo.InvariantCulture),
                "f64" => double.Parse(text, CultureInfo.InvariantCulture),
                "b" => text == "true",
                "dt" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                "g" => Guid.Parse(text),
                "bin" => Convert.FromBase64String(text),
                _ => throw new FormatException($"property {property.Name} has unknown type tag '{tag}'"),
            };
        }

        return entity;
    }
}
