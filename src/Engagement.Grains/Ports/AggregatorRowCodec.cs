using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Grains.Ports;

/// <summary>
/// The stored form of an aggregator row (<see cref="AggregatorShard"/>), shared by every <see cref="IAggregatorRowStore"/>:
/// counters as a JSON object (readable in a storage browser), revenue as an invariant decimal string (CNY), member marks
/// as 20 bytes each (member-id hash, sequence, UTC day number; little-endian), and the ids applied without a sequence as
/// (day, count, hashes…). Round trip is exact.
/// </summary>
public static class AggregatorRowCodec
{
    /// <summary>Bytes per member mark.</summary>
    public const int MarkBytes = 20;

    /// <summary>Encodes <paramref name="row"/>.</summary>
    public static EncodedAggregatorRow Encode(AggregatorShard row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var marks = new byte[row.Members.Count * MarkBytes];
        var at = 0;
        if (row.Members is Dictionary<ulong, MemberMark> members)
        {
            // As every state a commit makes holds them: enumerated without a boxed enumerator (once per written row).
            foreach (var (member, mark) in members)
            {
                WriteMark(marks.AsSpan(at), member, mark);
                at += MarkBytes;
            }
        }
        else
        {
            foreach (var (member, mark) in row.Members)
            {
                WriteMark(marks.AsSpan(at), member, mark);
                at += MarkBytes;
            }
        }

        var appliedBytes = 0;
        foreach (var (_, ids) in row.Applied)
        {
            appliedBytes += 8 + (ids.Count * 8);
        }

        var applied = new byte[appliedBytes];
        at = 0;
        foreach (var (day, ids) in row.Applied)
        {
            BinaryPrimitives.WriteInt32LittleEndian(applied.AsSpan(at), day);
            BinaryPrimitives.WriteInt32LittleEndian(applied.AsSpan(at + 4), ids.Count);
            at += 8;
            foreach (var id in ids)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(applied.AsSpan(at), id);
                at += 8;
            }
        }

        return new EncodedAggregatorRow(
            JsonSerializer.Serialize(row.Counters),
            row.Revenue.ToString(CultureInfo.InvariantCulture),
            marks,
            applied,
            row.AppliedCount,
            row.DuplicateCount);
    }

    /// <summary>One member mark as stored: the member-id hash, the sequence and the UTC day number, little-endian (<see cref="MarkBytes"/>).</summary>
    private static void WriteMark(Span<byte> to, ulong member, MemberMark mark)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(to, member);
        BinaryPrimitives.WriteInt64LittleEndian(to[8..], mark.Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(to[16..], mark.Day);
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote, every mark and id as stored (expiry is <see cref="AggregatorShard.WithoutExpired"/>'s).</summary>
    /// <exception cref="FormatException">The stored row is damaged.</exception>
    public static AggregatorShard Decode(EncodedAggregatorRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Marks.Length % MarkBytes != 0)
        {
            throw new FormatException($"member marks are {row.Marks.Length} bytes, not a multiple of {MarkBytes}");
        }

        var members = new Dictionary<ulong, MemberMark>(row.Marks.Length / MarkBytes);
        for (var at = 0; at < row.Marks.Length; at += MarkBytes)
        {
            members[BinaryPrimitives.ReadUInt64LittleEndian(row.Marks.AsSpan(at))] =
                new MemberMark(BinaryPrimitives.ReadInt64LittleEndian(row.Marks.AsSpan(at + 8)), BinaryPrimitives.ReadInt32LittleEndian(row.Marks.AsSpan(at + 16)));
        }

        var applied = new Dictionary<int, HashSet<ulong>>();
        for (var at = 0; at < row.Applied.Length;)
        {
            var day = BinaryPrimitives.ReadInt32LittleEndian(row.Applied.AsSpan(at));
            var count = BinaryPrimitives.ReadInt32LittleEndian(row.Applied.AsSpan(at + 4));
            at += 8;
            if (count < 0 || at + (count * 8L) > row.Applied.Length)
            {
                throw new FormatException("applied ids are cut short");
            }

            var ids = new HashSet<ulong>(count);
            for (var i = 0; i < count; i++, at += 8)
            {
                ids.Add(BinaryPrimitives.ReadUInt64LittleEndian(row.Applied.AsSpan(at)));
            }

            applied[day] = ids;
        }

        return new AggregatorShard
        {
            Counters = JsonSerializer.Deserialize<Dictionary<string, long>>(row.Counters) is { } counters
                ? new Dictionary<string, long>(counters, StringComparer.Ordinal)
                : throw new FormatException("counters are not a JSON object"),
            Revenue = decimal.Parse(row.Revenue, NumberStyles.Number, CultureInfo.InvariantCulture),
            Members = members,
            Applied = applied,
            AppliedCount = row.AppliedCount,
            DuplicateCount = row.DuplicateCount,
        };
    }
}

/// <summary>An aggregator's sums as stored beside its rows: counters as a JSON object, revenue (CNY) as an invariant decimal.</summary>
public static class AggregatorSumCodec
{
    /// <summary>The stored form of <paramref name="sums"/>: (counters JSON, revenue text).</summary>
    public static (string Counters, string Revenue) Encode(DayCounters sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        return (JsonSerializer.Serialize(sums.Counters), sums.Revenue.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="FormatException">The stored sums are damaged.</exception>
    public static DayCounters Decode(string counters, string revenue) => new()
    {
        Counters = JsonSerializer.Deserialize<Dictionary<string, long>>(counters) is { } parsed
            ? new Dictionary<string, long>(parsed, StringComparer.Ordinal)
            : throw new FormatException("sums are not a JSON object"),
        Revenue = decimal.Parse(revenue, NumberStyles.Number, CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// An aggregator row as stored (<see cref="AggregatorRowCodec"/>).
/// </summary>
/// <param name="Counters">Counter name → sum, a JSON object.</param>
/// <param name="Revenue">Net revenue, CNY, invariant decimal.</param>
/// <param name="Marks">Member marks, <see cref="AggregatorRowCodec.MarkBytes"/> bytes each.</param>
/// <param name="Applied">Ids applied without a sequence, per UTC day.</param>
/// <param name="AppliedCount">Contributions the row applied.</param>
/// <param name="DuplicateCount">Repeats the row ignored.</param>
public sealed record EncodedAggregatorRow(string Counters, string Revenue, byte[] Marks, byte[] Applied, long AppliedCount, long DuplicateCount);
