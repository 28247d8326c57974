using System.Text.Json;
using Orleans.Storage;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Memory grain storage serializes state with Orleans' default grain-storage serializer (Newtonsoft.Json with type
/// names), which no production path of this engine uses: the table grain storage writes System.Text.Json (web
/// defaults). Memory runs use this serializer instead, so they pay the same serialization the durable engine does.
/// </summary>
internal sealed class TextJsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)!;
}
