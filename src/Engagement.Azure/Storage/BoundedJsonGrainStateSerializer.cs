using Engagement.Domain.Members;
using Engagement.Grains.Hosting;
using Orleans.Storage;

namespace Engagement.Azure.Storage;

/// <summary>
/// The serializer given to the official Azure table provider: the engine's System.Text.Json state format
/// (<see cref="JsonGrainStateSerializer"/>, web defaults, non-ASCII text unescaped, the domain's own converters) with a
/// size bound checked on what it produced, so the provider never sees, and never silently truncates, a state over the
/// bound. The provider serializes before it sends anything, so a refusal writes nothing.
/// </summary>
/// <remarks>
/// The bound counts what the provider's row really limits (string format: the UTF-8 bytes decoded to a string, cut into
/// at most 15 properties of 32K characters, anything beyond dropped without an error): the JSON's length in UTF-16
/// characters (<see cref="StoredStateText.Characters"/>), which is its UTF-8 byte count for ASCII and a third of it for
/// Chinese. The provider's own check of at most <see cref="StoredStateText.ProviderByteCapacity"/> UTF-8 bytes is applied
/// here too, so it too ends in a <see cref="GrainStateTooLargeException"/>.
/// </remarks>
/// <param name="maxBytes">
/// The largest stored size accepted: UTF-16 characters of the JSON text (<c>Engagement:Storage:MaxGrainStateBytes</c>;
/// one per UTF-8 byte of ASCII).
/// </param>
public sealed class BoundedJsonGrainStateSerializer(int maxBytes) : IGrainStorageSerializer
{
    private readonly JsonGrainStateSerializer _inner = new();

    /// <summary>The largest stored size accepted: UTF-16 characters of the JSON text (one per UTF-8 byte of ASCII).</summary>
    public int MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "must be > 0");

    /// <inheritdoc />
    /// <exception cref="GrainStateTooLargeException">
    /// The JSON is longer than <see cref="MaxBytes"/> characters, or over the provider's
    /// <see cref="StoredStateText.ProviderByteCapacity"/> UTF-8 bytes.
    /// </exception>
    public BinaryData Serialize<T>(T? input)
    {
        var data = _inner.Serialize(input);
        var utf8 = data.ToMemory().Span;
        if (utf8.Length <= MaxBytes)
        {
            return data; // never more characters than bytes
        }

        if (utf8.Length > StoredStateText.ProviderByteCapacity)
        {
            throw new GrainStateTooLargeException(utf8.Length, StoredStateText.ProviderByteCapacity, $"a state of type {typeof(T).Name}");
        }

        var stored = StoredStateText.Characters(utf8);
        return stored <= MaxBytes ? data : throw new GrainStateTooLargeException(stored, MaxBytes, $"a state of type {typeof(T).Name}");
    }

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input) => _inner.Deserialize<T>(input);
}
