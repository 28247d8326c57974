using System.Buffers;
using System.Text.Json;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// How many bytes a member's pending effects take in its stored state, and the bound above which the member emits them
/// before its next change (and refuses the change while they cannot leave). The count cap alone
/// (<c>MemberOutboxOptions.EmitFirstAbove</c>, 200 effects) does not bound the row: 200 negative manual adjustments
/// with 200-character Chinese reasons are over 300 KB of JSON. Measured only past <see cref="MeasureAbove"/> effects,
/// so a member whose receivers keep up never serializes anything for it.
/// </summary>
public static class OutboxBytes
{
    /// <summary>
    /// Pending effects at or below which the outbox is not measured: 32, the default <c>LedgerBatch</c> (entries waiting
    /// for their batch, stored by sequence, about 40 bytes each). The largest effect a member stores whole is a negative
    /// manual adjustment with a 200-character Chinese reason naming four lots, 1,705 bytes: 32 of them are 54,560 bytes,
    /// under <see cref="Bound"/>, so an outbox not measured is never past it (MemberStateSerializationTests).
    /// </summary>
    public const int MeasureAbove = 32;

    /// <summary>
    /// UTF-8 bytes of stored outbox JSON (the <c>"outbox"</c> array, as the grain storage writes it) above which a member
    /// emits everything pending before its next change, and refuses the change when that emit leaves it still above: 64 KiB
    /// (65,536 bytes), measured on JSON with non-ASCII text escaped (web defaults), never less than what the storage writes
    /// (<see cref="StoredStateText"/>). The outbox here plus one change's effects is part of the every-cap member
    /// (<see cref="MemberStateSizes.EveryCapAtOnceCharacters"/>), which with every collection at its default cap fits the 480 KiB
    /// row bound (<c>Engagement:Storage:MaxGrainStateBytes</c>) with 11% to spare.
    /// </summary>
    public const int Bound = 64 * 1024;

    /// <summary>Web defaults with non-ASCII escaped: at least as long as what <c>JsonGrainStateSerializer</c> writes (Chinese unescaped), so the bound is never under-counted.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// True when <paramref name="state"/>'s outbox holds more than <see cref="MeasureAbove"/> effects whose stored JSON
    /// is over <see cref="Bound"/> bytes. Serializes nothing at or below <see cref="MeasureAbove"/> effects.
    /// </summary>
    public static bool PastBound(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Outbox.Count > MeasureAbove && Stored(state) > Bound;
    }

    /// <summary>
    /// UTF-8 bytes of <paramref name="state"/>'s outbox as the state JSON stores it (<see cref="MemberState.StoredOutbox"/>:
    /// the array alone, ledger entries the kept ledger holds by sequence); 0 when nothing is pending. Counted as it is
    /// written, into a scratch buffer reused by the thread: no copy of the JSON is kept.
    /// </summary>
    public static int Stored(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.StoredOutbox is not { } stored)
        {
            return 0;
        }

        var counter = _counter ??= new CountingBufferWriter();
        var writer = _writer ??= new Utf8JsonWriter(counter);
        writer.Reset(counter);
        try
        {
            JsonSerializer.Serialize(writer, stored, Web);
            writer.Flush();
            return checked((int)writer.BytesCommitted);
        }
        finally
        {
            writer.Reset(counter);
        }
    }

    [ThreadStatic]
    private static CountingBufferWriter? _counter;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    /// <summary>Hands out one scratch buffer again and again: the bytes are counted by the writer, never kept.</summary>
    private sealed class CountingBufferWriter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}
