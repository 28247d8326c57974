using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Engagement.Domain.Program;

namespace Engagement.Domain.Members;

/// <summary>
/// Remembers the ids of applied events for at least <see cref="RetentionDays"/> days (CONTRACT.md §1: a POS that
/// re-uploads its last month changes nothing; purchases and refunds are also remembered on their order for as long as
/// it is kept, and here so that their eventId cannot come back under another orderId or type), compactly: a 64-bit FNV-1a hash of each id (8 bytes), grouped by the UTC date it was
/// applied. At most <see cref="ProgramOptions.MaxRememberedEventIds"/> hashes are kept (2,048 by default, about 22 KB of
/// state); a member with more events than that in 30 days forgets its oldest ids first. The chance that a new id
/// matches a remembered hash by accident is below 2,048 / 2^64 per event.
/// </summary>
public static class EventIdWindow
{
    /// <summary>An id applied on a UTC date stays remembered until this many days after that date have fully passed.</summary>
    public const int RetentionDays = 30;

    private const int HashBytes = 8;

    // A fingerprint (Fingerprint) is 4 bytes, kept in MemberState.EventFingerprintsByDay at the same position as its id's hash.
    private const int FingerprintBytes = 4;

    /// <summary>True when <paramref name="eventId"/> was applied within the window that ends at <paramref name="now"/>.</summary>
    public static bool Contains(MemberState state, string eventId, DateTimeOffset now) => Find(state, eventId, now) is not null;

    /// <summary>
    /// The fingerprint remembered with <paramref name="eventId"/> (<see cref="Fingerprint"/>) when it was applied within the
    /// window that ends at <paramref name="now"/>: 0 when none was kept (an id remembered before fingerprints were, or a
    /// redemption's or an adjustment's id), null when the id is not remembered.
    /// </summary>
    public static uint? Find(MemberState state, string eventId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.EventIdsByDay is not { Count: > 0 } days)
        {
            return null;
        }

        var hash = Hash(eventId);
        var oldest = Oldest(now);
        foreach (var (day, bytes) in days)
        {
            if (day < oldest)
            {
                continue;
            }

            for (var i = 0; i + HashBytes <= bytes.Length; i += HashBytes)
            {
                if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i, HashBytes)) == hash)
                {
                    var at = i / HashBytes * FingerprintBytes;
                    return state.EventFingerprintsByDay?.GetValueOrDefault(day) is { } prints && at + FingerprintBytes <= prints.Length
                        ? BinaryPrimitives.ReadUInt32LittleEndian(prints.AsSpan(at, FingerprintBytes))
                        : 0u;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Remembers <paramref name="eventId"/> as applied at <paramref name="now"/>, with <paramref name="fingerprint"/> of what
    /// it was (<see cref="Fingerprint"/>; 0: none), then prunes by age and by the cap.
    /// </summary>
    internal static void Remember(MemberState state, string eventId, ProgramOptions options, DateTimeOffset now, uint fingerprint = 0)
    {
        var days = state.EventIdsByDay ??= [];
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var bytes = days.GetValueOrDefault(today) ?? [];
        var grown = new byte[bytes.Length + HashBytes];
        bytes.CopyTo(grown, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(grown.AsSpan(bytes.Length), Hash(eventId));
        days[today] = grown;
        if (fingerprint != 0 || state.EventFingerprintsByDay?.ContainsKey(today) == true)
        {
            // Aligned with the day's hashes: ids remembered before without one get 0 (unknown).
            var prints = state.EventFingerprintsByDay ??= [];
            var kept = prints.GetValueOrDefault(today) ?? [];
            var aligned = new byte[grown.Length / HashBytes * FingerprintBytes];
            kept.AsSpan(0, Math.Min(kept.Length, aligned.Length - FingerprintBytes)).CopyTo(aligned);
            BinaryPrimitives.WriteUInt32LittleEndian(aligned.AsSpan(aligned.Length - FingerprintBytes), fingerprint);
            prints[today] = aligned;
        }

        Prune(state, options, now);
    }

    /// <summary>
    /// What an event was, as 32 bits (FNV-1a over its type, orderId, amount without trailing zeros, currency and storeId;
    /// never 0): the same event resent has the same fingerprint, whatever its JSON looked like; an eventId reused for another
    /// event (another type, order, amount, currency or store) almost surely not. occurredAt is left out: a till may stamp
    /// a retry anew. A currency left out or blank counts as <paramref name="options"/>' programme currency
    /// (<see cref="ProgramOptions.Currency"/>, CNY by default), as the event is applied: omitted, then sent as "CNY", is the
    /// same event (CONTRACT.md §1).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="evt"/> or <paramref name="options"/> is null.</exception>
    public static uint Fingerprint(MemberEvent evt, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);
        return Print(evt, string.IsNullOrWhiteSpace(evt.Currency) ? options.Currency : evt.Currency);
    }

    /// <summary>
    /// True when <paramref name="known"/>, a fingerprint remembered for <paramref name="evt"/>'s id, is <paramref name="evt"/>'s:
    /// its <see cref="Fingerprint"/>, or, for an event in the programme currency (sent or left out), the one taken before a
    /// left-out currency counted as the programme's (the currency hashed as empty), so a resend across that change stays a repeat.
    /// </summary>
    internal static bool Matches(uint known, MemberEvent evt, ProgramOptions options) =>
        known == Fingerprint(evt, options)
        || ((string.IsNullOrWhiteSpace(evt.Currency) || string.Equals(evt.Currency, options.Currency, StringComparison.Ordinal))
            && known == Print(evt, string.Empty));

    private static uint Print(MemberEvent evt, string currency)
    {
        var amount = evt.Amount is { } value ? value.ToString("0.############################", CultureInfo.InvariantCulture) : string.Empty;
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(string.Join('\u001f', evt.Type, evt.OrderId, amount, currency, evt.StoreId)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash == 0 ? 1u : hash;
    }

    /// <summary>Forgets days past the window and, beyond the cap, the oldest hashes.</summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        if (state.EventIdsByDay is not { } days)
        {
            return;
        }

        var oldest = Oldest(now);
        List<DateOnly>? stale = null;
        var remembered = 0;
        foreach (var (day, bytes) in days)
        {
            if (day < oldest)
            {
                (stale ??= []).Add(day);
            }
            else
            {
                remembered += bytes.Length / HashBytes;
            }
        }

        foreach (var day in stale ?? Enumerable.Empty<DateOnly>())
        {
            days.Remove(day);
            state.EventFingerprintsByDay?.Remove(day);
        }

        // Per event: nothing stale and nothing over the cap is the usual case, and then nothing is allocated.
        var excess = remembered - Math.Max(0, options.MaxRememberedEventIds);
        foreach (var day in excess > 0 ? days.Keys.Order().ToList() : Enumerable.Empty<DateOnly>())
        {
            if (excess <= 0)
            {
                break;
            }

            var count = days[day].Length / HashBytes;
            var drop = Math.Min(count, excess);
            excess -= drop;
            if (drop == count)
            {
                days.Remove(day);
                state.EventFingerprintsByDay?.Remove(day);
            }
            else
            {
                days[day] = days[day][(drop * HashBytes)..];
                if (state.EventFingerprintsByDay?.GetValueOrDefault(day) is { } prints)
                {
                    state.EventFingerprintsByDay[day] = prints[Math.Min(prints.Length, drop * FingerprintBytes)..];
                }
            }
        }

        if (days.Count == 0)
        {
            state.EventIdsByDay = null;
        }

        if (state.EventFingerprintsByDay is { Count: 0 })
        {
            state.EventFingerprintsByDay = null;
        }
    }

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
