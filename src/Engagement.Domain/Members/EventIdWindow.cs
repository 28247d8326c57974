using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Engagement.Domain.Program;

namespace Engagement.Domain.Members;

/// <summary>
/// Remembers the ids of applied events for at least <see cref="RetentionDays"/> days (CONTRACT.md §1: a POS that
/// re-uploads its last month changes nothing; purchases and refunds are also remembered on their order for as long as
/// it is kept, and here so that their eventId cannot come back under another orderId or type), compactly: a 64-bit FNV-1a hash of each id (8 bytes), grouped by the UTC date it was
/// applied, each with a 16-bit fingerprint of what the event was (<see cref="Fingerprint"/>), so that a reuse of the id
/// for another event is told from a resend. At most <see cref="ProgramOptions.MaxRememberedEventIds"/> ids are kept (2,048
/// by default, about 28 KB of state); a member with more events than that in 30 days forgets its oldest ids first. The
/// chance that a new id matches a remembered hash by accident is below 2,048 / 2^64 per event; the chance that a reuse
/// goes unnoticed (taken for a resend, as before fingerprints were kept) is 1 / 65,535.
/// </summary>
/// <remarks>
/// A day's bytes (<see cref="MemberState.EventIdsByDay"/>, each an <see cref="EventIdDay"/>, stored as a base64 string) are either, as stored before fingerprints, the ids' hashes
/// alone (8 bytes each, so a multiple of 8 long; every fingerprint unknown), or a <see cref="Marked"/> byte followed by
/// 10 bytes an id: its hash, then its fingerprint (little-endian; 0 when none was taken, e.g. a redemption's id). 1 + 10n
/// is odd, never a multiple of 8, so the two read apart. One array per day, not a second dictionary beside it: no second
/// set of day keys in the stored JSON, and nothing whose order or alignment can drift from the hashes'.
/// </remarks>
public static class EventIdWindow
{
    /// <summary>An id applied on a UTC date stays remembered until this many days after that date have fully passed.</summary>
    public const int RetentionDays = 30;

    private const int HashBytes = 8;

    // A day written with fingerprints starts with this byte; then each id is its hash and its 2-byte fingerprint.
    private const byte Marked = 1;

    private const int MarkedEntryBytes = HashBytes + sizeof(ushort);

    /// <summary>True when <paramref name="eventId"/> was applied within the window that ends at <paramref name="now"/>.</summary>
    public static bool Contains(MemberState state, string eventId, DateTimeOffset now) => Find(state, eventId, now) is not null;

    /// <summary>
    /// The fingerprint remembered with <paramref name="eventId"/> (<see cref="Fingerprint"/>, 16 bits) when it was applied
    /// within the window that ends at <paramref name="now"/>: 0 when none was kept (an id remembered before fingerprints
    /// were, or a redemption's or an adjustment's id), null when the id is not remembered.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or <paramref name="eventId"/> is null.</exception>
    public static ushort? Find(MemberState state, string eventId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.EventIdsByDay is not { Count: > 0 } days)
        {
            return null;
        }

        var hash = Hash(eventId);
        var oldest = Oldest(now);
        foreach (var (day, stored) in days)
        {
            if (day < oldest)
            {
                continue;
            }

            var bytes = stored.Bytes;
            var (start, size) = Layout(bytes);
            for (var i = start; i + size <= bytes.Length; i += size)
            {
                if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i, HashBytes)) == hash)
                {
                    return size == MarkedEntryBytes ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i + HashBytes)..]) : (ushort)0;
                }
            }
        }

        return null;
    }

    /// <summary>How many ids <paramref name="state"/> remembers, of every day kept (past the window too, until pruned).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    public static int Count(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.EventIdsByDay?.Values.Sum(static day => Count(day.Bytes)) ?? 0;
    }

    /// <summary>
    /// Remembers <paramref name="eventId"/> as applied at <paramref name="now"/>, with <paramref name="fingerprint"/> of what
    /// it was (<see cref="Fingerprint"/>; 0: none), then prunes by age and by the cap. A day stored without fingerprints is
    /// rewritten with them, its older ids unknown (0). A day already written with them grows in place (<see cref="EventIdDay"/>:
    /// no copy of the day per event).
    /// </summary>
    internal static void Remember(MemberState state, string eventId, ProgramOptions options, DateTimeOffset now, ushort fingerprint = 0)
    {
        var days = state.EventIdsByDay ??= [];
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        Span<byte> entry = stackalloc byte[MarkedEntryBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(entry, Hash(eventId));
        BinaryPrimitives.WriteUInt16LittleEndian(entry[HashBytes..], fingerprint);
        var day = days.GetValueOrDefault(today);
        if (day.Length == 0)
        {
            day = new EventIdDay([Marked, .. entry]);
        }
        else if (Layout(day.Bytes).Start == 0)
        {
            // Stored before fingerprints: rewritten in the marked layout, each older id's fingerprint unknown (0).
            var hashes = day.Bytes;
            var count = hashes.Length / HashBytes;
            var marked = new byte[1 + ((count + 1) * MarkedEntryBytes)];
            marked[0] = Marked;
            for (var i = 0; i < count; i++)
            {
                hashes.Slice(i * HashBytes, HashBytes).CopyTo(marked.AsSpan(1 + (i * MarkedEntryBytes)));
            }

            entry.CopyTo(marked.AsSpan(1 + (count * MarkedEntryBytes)));
            day = new EventIdDay(marked);
        }
        else
        {
            // The usual case: the day grows in its own buffer, doubled when full (no copy of the day per event).
            day = day.Appended(entry);
        }

        days[today] = day;
        Prune(state, options, now);
    }

    /// <summary>
    /// What an event was, as 16 bits (FNV-1a 32 over its type, orderId, amount without trailing zeros, currency and
    /// storeId, and for a profile_update or review its properties, each key and value in ordinal key order; its halves
    /// folded together by exclusive or; never 0): the same event resent has the same fingerprint, whatever its JSON looked
    /// like (the properties in any order); an eventId reused for another event (another type, order, amount, currency or
    /// store, or a profile_update or review with other properties) has another, but for 1 in 65,535. occurredAt is left out: a till may stamp a retry anew. A currency left out or
    /// blank counts as <paramref name="options"/>' programme currency (<see cref="ProgramOptions.Currency"/>, CNY by
    /// default), as the event is applied: omitted, then sent as "CNY", is the same event (CONTRACT.md §1). Stored in member
    /// state: its value must not drift between versions.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="evt"/> or <paramref name="options"/> is null.</exception>
    public static ushort Fingerprint(MemberEvent evt, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);
        var print = Print(evt, string.IsNullOrWhiteSpace(evt.Currency) ? options.Currency : evt.Currency);
        var folded = (ushort)(print ^ (print >> 16));
        return folded == 0 ? (ushort)1 : folded;
    }

    private static uint Print(MemberEvent evt, string currency)
    {
        // FNV-1a 32 over the UTF-8 of "type␟orderId␟amount␟currency␟storeId" (then the properties), hashed part by part
        // so that no joined string is made per event: the same bytes in the same order as hashing the joined text (the
        // unit separator between parts keeps any surrogate pair whole within its part).
        Span<char> amount = stackalloc char[64];
        var amountLength = 0;
        if (evt.Amount is { } value)
        {
            _ = value.TryFormat(amount, out amountLength, "0.############################", CultureInfo.InvariantCulture); // 64 characters hold any decimal
        }

        var hash = Fold(2166136261u, evt.Type);
        hash = Fold(Fold(hash, "\u001f"), evt.OrderId);
        hash = Fold(Fold(hash, "\u001f"), amount[..amountLength]);
        hash = Fold(Fold(hash, "\u001f"), currency);
        hash = Fold(Fold(hash, "\u001f"), evt.StoreId);
        if (evt.Type is MemberEventTypes.ProfileUpdate or MemberEventTypes.Review && evt.Properties.Count > 0)
        {
            // What these events say is their properties: each key and value, keys in ordinal order (the JSON's order and
            // the dictionary's are not the event's), after a record separator the other types never write.
            hash = Fold(hash, string.Concat(evt.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\u001e{p.Key}\u001f{p.Value}")));
        }

        return hash;
    }

    /// <summary>Continues an FNV-1a 32 hash over the UTF-8 bytes of <paramref name="text"/> (empty when null).</summary>
    private static uint Fold(uint hash, ReadOnlySpan<char> text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = length > 512 ? new byte[length] : stackalloc byte[512];
        var written = Encoding.UTF8.GetBytes(text, buffer);
        foreach (var b in buffer[..written])
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    /// <summary>Forgets days past the window and, beyond the cap, the oldest hashes.</summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        if (state.EventIdsByDay is not { } days)
        {
            return;
        }

        var oldest = Oldest(now);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        List<DateOnly>? stale = null;
        var remembered = 0;
        foreach (var (day, stored) in days)
        {
            if (day < oldest)
            {
                (stale ??= []).Add(day);
            }
            else
            {
                remembered += Count(stored.Bytes);
            }
        }

        foreach (var day in stale ?? Enumerable.Empty<DateOnly>())
        {
            days.Remove(day);
        }

        // Per event: nothing stale and nothing over the cap is the usual case, and then nothing is allocated.
        var excess = remembered - Math.Max(0, options.MaxRememberedEventIds);
        foreach (var day in excess > 0 ? days.Keys.Order().ToList() : Enumerable.Empty<DateOnly>())
        {
            if (excess <= 0)
            {
                break;
            }

            var bytes = days[day].Bytes;
            var count = Count(bytes);
            var drop = Math.Min(count, excess);
            excess -= drop;
            if (drop == count)
            {
                days.Remove(day);
            }
            else
            {
                var (start, size) = Layout(bytes);
                days[day] = start == 0 ? new EventIdDay(bytes[(drop * size)..].ToArray()) : Trimmed(bytes, drop * size, day == today);
            }
        }

        if (days.Count == 0)
        {
            state.EventIdsByDay = null;
        }
    }

    // A marked day without its oldest dropped bytes, in a new array (an older value keeps reading what it held). Today's
    // keeps the dropped bytes as room, so that at the cap the next id appends in place instead of doubling the buffer:
    // one copy of the day per event there, not three (a day past today never grows, so it is kept exact).
    private static EventIdDay Trimmed(ReadOnlySpan<byte> bytes, int dropped, bool keepRoom)
    {
        var kept = bytes[(1 + dropped)..];
        var buffer = new byte[keepRoom ? bytes.Length : 1 + kept.Length];
        buffer[0] = Marked;
        kept.CopyTo(buffer.AsSpan(1));
        return EventIdDay.WithRoom(buffer, 1 + kept.Length);
    }

    private static int Count(ReadOnlySpan<byte> bytes)
    {
        var (start, size) = Layout(bytes);
        return (bytes.Length - start) / size;
    }

    // Where a day's ids start and how long each is: after the marker, hash and fingerprint; else hashes alone.
    private static (int Start, int Size) Layout(ReadOnlySpan<byte> bytes) =>
        bytes.Length % HashBytes != 0 && bytes[0] == Marked ? (1, MarkedEntryBytes) : (0, HashBytes);

    private static DateOnly Oldest(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime).AddDays(-RetentionDays);

    /// <summary>FNV-1a 64 over the UTF-8 bytes: stable across processes and versions (unlike string.GetHashCode).</summary>
    public static ulong Hash(string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        var hash = 14695981039346656037UL;
        var length = Encoding.UTF8.GetMaxByteCount(eventId.Length);
        var rented = length > 512 ? new byte[length] : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var written = Encoding.UTF8.GetBytes(eventId, buffer);
        foreach (var b in buffer[..written])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
