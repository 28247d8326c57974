using System.Text.Json;
using Orleans.Storage;

namespace Engagement.Grains.Hosting;

/// <summary>
/// Grain state as System.Text.Json, the same format the table storage writes, for storage providers that take
/// an <see cref="IGrainStorageSerializer"/> (memory storage in tests and the benchmark). Orleans' default for
/// those is Newtonsoft.Json, which does not know the domain's converters.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)!;
}
