using Engagement.Grains.Hosting;
using Orleans.Storage;

namespace Engagement.Azure.Storage;

/// <summary>
/// The serializer given to the official Azure table provider: the engine's System.Text.Json state format
/// (<see cref="JsonGrainStateSerializer"/>, web defaults, the domain's own converters) with a size bound checked on
/// the bytes it produced, so the provider never sees, and never silently truncates, a state over the bound. The
/// provider serializes before it sends anything, so a refusal writes nothing.
/// </summary>
/// <param name="maxBytes">The largest state accepted, UTF-8 bytes of JSON.</param>
public sealed class BoundedJsonGrainStateSerializer(int maxBytes) : IGrainStorageSerializer
{
    private readonly JsonGrainStateSerializer _inner = new();

    /// <summary>The largest state accepted, UTF-8 bytes of JSON.</summary>
    public int MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "must be > 0");

    /// <inheritdoc />
    /// <exception cref="GrainStateTooLargeException">The JSON is over <see cref="MaxBytes"/>.</exception>
    public BinaryData Serialize<T>(T? input)
    {
        var data = _inner.Serialize(input);
        var length = data.ToMemory().Length;
        return length <= MaxBytes ? data : throw new GrainStateTooLargeException(length, MaxBytes, $"a state of type {typeof(T).Name}");
    }

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input) => _inner.Deserialize<T>(input);
}
