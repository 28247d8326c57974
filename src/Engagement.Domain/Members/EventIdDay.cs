using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Members;

/// <summary>
/// The remembered ids of one UTC date (<see cref="MemberState.EventIdsByDay"/>; the layout is <see cref="EventIdWindow"/>'s):
/// its bytes, stored exactly as the <c>byte[]</c> it replaced (one base64 string in the JSON, <see cref="EventIdDayJsonConverter"/>),
/// held in a buffer with room to grow (at most twice the day's bytes), so that remembering one more id of the day
/// appends to the buffer instead of copying the whole day into a new array per event. A value: no object of its own in
/// the dictionary. The room is never stored or read: <see cref="Bytes"/> is the day.
/// </summary>
/// <remarks>
/// <see cref="Appended"/> may share its buffer with the value it was made from (it writes only past that value's bytes,
/// so the older value still reads what it held). Append only to a day's latest value, the one its dictionary holds, as
/// <see cref="EventIdWindow"/> does: two appends to the same value would write into the same room.
/// </remarks>
[JsonConverter(typeof(EventIdDayJsonConverter))]
public readonly struct EventIdDay : IEquatable<EventIdDay>
{
    private readonly byte[]? _buffer;
    private readonly int _length;

    /// <summary>A day holding exactly <paramref name="bytes"/> (kept, not copied: the caller gives the array up).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public EventIdDay(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _buffer = bytes;
        _length = bytes.Length;
    }

    private EventIdDay(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>A day holding the first <paramref name="length"/> bytes of <paramref name="buffer"/>, the rest its room (kept, not copied).</summary>
    internal static EventIdDay WithRoom(byte[] buffer, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        return new EventIdDay(buffer, length);
    }

    /// <summary>The day's bytes as stored (the <see cref="EventIdWindow"/> layout); empty for <c>default</c>.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

    /// <summary>How many bytes the day holds.</summary>
    public int Length => _length;

    /// <summary>The day with <paramref name="bytes"/> after its own: in the same buffer while it has room, else in one twice as large.</summary>
    internal EventIdDay Appended(ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer ?? [];
        var length = _length + bytes.Length;
        if (length > buffer.Length)
        {
            var grown = new byte[Math.Max(length, buffer.Length * 2)];
            Bytes.CopyTo(grown);
            buffer = grown;
        }

        bytes.CopyTo(buffer.AsSpan(_length));
        return new EventIdDay(buffer, length);
    }

    /// <summary>True when both hold the same bytes (the room after them aside).</summary>
    public bool Equals(EventIdDay other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EventIdDay other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Same bytes.</summary>
    public static bool operator ==(EventIdDay left, EventIdDay right) => left.Equals(right);

    /// <summary>Other bytes.</summary>
    public static bool operator !=(EventIdDay left, EventIdDay right) => !left.Equals(right);
}

/// <summary>Stores the day as the base64 string a <c>byte[]</c> was stored as (only its bytes, never the room after them).</summary>
public sealed class EventIdDayJsonConverter : JsonConverter<EventIdDay>
{
    /// <inheritdoc/>
    public override EventIdDay Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? default : new(reader.GetBytesFromBase64());

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, EventIdDay value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBase64StringValue(value.Bytes);
    }
}
