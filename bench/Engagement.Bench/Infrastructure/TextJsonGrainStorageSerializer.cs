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

    private static long _bytes;
    private static long _states;

    /// <summary>Bytes of JSON serialized so far by every instance in the process (states written, whatever the grain).</summary>
    public static long BytesSerialized => Interlocked.Read(ref _bytes);

    /// <summary>States serialized so far by every instance in the process.</summary>
    public static long StatesSerialized => Interlocked.Read(ref _states);

    public BinaryData Serialize<T>(T? input)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(input, Options);
        Interlocked.Add(ref _bytes, bytes.Length);
        Interlocked.Increment(ref _states);
        return new(bytes);
    }

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)!;
}
