using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Engagement.Domain.Members;
using Orleans.Storage;

namespace Engagement.Grains.Hosting;

/// <summary>
/// Grain state as System.Text.Json, the same format the table storage writes, for storage providers that take
/// an <see cref="IGrainStorageSerializer"/> (the table storage through <c>BoundedJsonGrainStateSerializer</c>, memory
/// storage in tests and the benchmark). Orleans' default for those is Newtonsoft.Json, which does not know the domain's
/// converters.
/// </summary>
/// <remarks>
/// Web defaults (camelCase, numbers readable from strings), non-ASCII text as itself, and the domain's own converters, with metadata built by
/// reflection; the stored format is pinned by <c>StoredStateRowsTests</c> (rows the code at bc6b55b8 wrote, loaded and
/// written back byte for byte). A source-generated <c>JsonSerializerContext</c> for the state types was tried on 2026-12-06
/// and not kept: in a one-off probe (not committed, so not a reproducible bench result;
/// <c>bench/results/ingest-memory-2026-12-06-evening.md</c>) it wrote the same JSON, but its generated fast path serialized
/// each of the outbox's polymorphic effects in a nested call with a write stack of its own (a member state with 51 pending
/// effects: about 33.7 KB allocated per write against 18.1 KB), and its metadata-only mode allocated as reflection does.
/// <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonTypeInfo{TValue})"/> writes into a pooled buffer and
/// copies it once into the array <see cref="BinaryData"/> keeps: the provider holds on to that array (the memory storage
/// sends it to its storage grain, the table storage turns it into the row's value), so no pooled buffer can stand in for it.
/// </remarks>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    /// <summary>
    /// The options every state is written and read with: web defaults and the stored-text encoder
    /// (<see cref="StoredStateText.Encoder"/>: Chinese written as itself, one character of the row instead of a six-character
    /// <c>\uXXXX</c> escape), nothing else (read-only, reflection metadata). Rows written with escapes read the same.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = ReadOnly(new(JsonSerializerDefaults.Web) { Encoder = StoredStateText.Encoder });

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, TypeInfo<T>.Value));

    /// <inheritdoc />
    /// <exception cref="JsonException">The bytes are not a valid state of type <typeparamref name="T"/>.</exception>
    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize(input.ToMemory().Span, TypeInfo<T>.Value)!;

    /// <summary>Options made read-only with the default reflection resolver, as the serializer does on their first use, so their metadata can be looked up.</summary>
    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The type's metadata, looked up in the options once per type instead of on every call.</summary>
    private static class TypeInfo<T>
    {
        public static readonly JsonTypeInfo<T?> Value = (JsonTypeInfo<T?>)Options.GetTypeInfo(typeof(T));
    }
}
