using Engagement.Grains.Hosting;
using Orleans.Storage;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Memory grain storage serializes state with Orleans' default grain-storage serializer (Newtonsoft.Json with type
/// names), which no production path of this engine uses: the table grain storage writes System.Text.Json through
/// <see cref="JsonGrainStateSerializer"/>. Memory runs use that same serializer (since 2026-12-06 evening; a copy of its
/// reflection-based options before), counting what it writes, so they pay the serialization the durable engine does.
/// </summary>
internal sealed class TextJsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonGrainStateSerializer Inner = new();

    private static long _bytes;
    private static long _states;

    /// <summary>Bytes of JSON serialized so far by every instance in the process (states written, whatever the grain).</summary>
    public static long BytesSerialized => Interlocked.Read(ref _bytes);

    /// <summary>States serialized so far by every instance in the process.</summary>
    public static long StatesSerialized => Interlocked.Read(ref _states);

    public BinaryData Serialize<T>(T? input)
    {
        var data = Inner.Serialize(input);
        Interlocked.Add(ref _bytes, data.ToMemory().Length);
        Interlocked.Increment(ref _states);
        return data;
    }

    public T Deserialize<T>(BinaryData input) => Inner.Deserialize<T>(input);
}
