using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Which of the last <see cref="Span"/> local days something happened on (a member's activity, purchase, share...):
/// a 448-day bitmap anchored at the latest day seen, long enough that an event as late as the contract accepts
/// (365 days, CONTRACT.md §1) still finds its day and the 30 days before it. Bounded (seven longs and a day number;
/// the five older words are stored only when set) and exact for days inside the window; days older than the window
/// are unknown (<see cref="Covers"/>). Immutable: <see cref="With"/>, <see cref="Until"/> and <see cref="Union"/>
/// return a new value, or the same instance when nothing changes (no allocation on the hot path's repeated days);
/// <see cref="FirstMark"/> is the first mark of an empty bitmap as one instance per day, shared.
/// </summary>
public sealed record DayBits
{
    /// <summary>Days the bitmap remembers, counting back from <see cref="Latest"/> (inclusive).</summary>
    public const int Span = Words * 64;

    private const int Words = 7;

    /// <summary>The shared first-mark bitmaps (<see cref="FirstMark"/>): 16 days, so events up to two weeks late share theirs too.</summary>
    private static readonly DayBits?[] FirstMarks = new DayBits?[16];

    /// <summary>The latest day marked (<see cref="DateOnly.DayNumber"/>), or 0 when nothing is marked.</summary>
    public int Latest { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 0 … − 63 (bit i = Latest − i).</summary>
    public ulong Recent { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 64 … − 127.</summary>
    public ulong Older { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 128 … − 191 (absent from JSON when 0, as in states stored before it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Past128 { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 192 … − 255.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Past192 { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 256 … − 319.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Past256 { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 320 … − 383.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Past320 { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 384 … − 447.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Past384 { get; init; }

    /// <summary>An empty bitmap.</summary>
    public static DayBits Empty { get; } = new();

    /// <summary>True when nothing was ever marked.</summary>
    [JsonIgnore]
    public bool IsEmpty => (Recent | Older | Past128 | Past192 | Past256 | Past320 | Past384) == 0;

    /// <summary>True when <paramref name="day"/> lies in the window, so <see cref="Has"/> answers it exactly.</summary>
    public bool Covers(DateOnly day) => IsEmpty || (day.DayNumber > Latest - Span);

    /// <summary>Whether <paramref name="day"/> is marked (false for days outside the window or after <see cref="Latest"/>).</summary>
    public bool Has(DateOnly day)
    {
        var back = Latest - day.DayNumber;
        if (back < 0 || back >= Span || IsEmpty)
        {
            return false;
        }

        return (Word(back >> 6) & (1UL << (back & 63))) != 0;
    }

    /// <summary>Marks <paramref name="day"/>; a day newer than <see cref="Latest"/> shifts the window forward.</summary>
    public DayBits With(DateOnly day)
    {
        if (IsEmpty)
        {
            return new DayBits { Latest = day.DayNumber, Recent = 1 };
        }

        Span<ulong> words = stackalloc ulong[Words];
        for (var i = 0; i < Words; i++)
        {
            words[i] = Word(i);
        }

        var latest = Latest;
        var shift = day.DayNumber - latest;
        if (shift > 0)
        {
            ShiftLeft(words, shift);
            latest = day.DayNumber;
        }

        var back = latest - day.DayNumber;
        if (back >= Span || (shift <= 0 && (words[back >> 6] & (1UL << (back & 63))) != 0))
        {
            // Outside the window, or marked already (most events of a day): nothing new to allocate.
            return this;
        }

        words[back >> 6] |= 1UL << (back & 63);
        return new DayBits
        {
            Latest = latest, Recent = words[0], Older = words[1],
            Past128 = words[2], Past192 = words[3], Past256 = words[4], Past320 = words[5], Past384 = words[6],
        };
    }

    /// <summary>
    /// These marks on days up to <paramref name="lastDayNumber"/> (a <see cref="DateOnly.DayNumber"/>) only; the later
    /// ones are dropped. Empty when none is left.
    /// </summary>
    public DayBits Until(int lastDayNumber)
    {
        var keepFrom = Latest - lastDayNumber; // marks at least this many days back from Latest stay
        if (IsEmpty || keepFrom <= 0)
        {
            return this;
        }

        if (keepFrom >= Span)
        {
            return Empty;
        }

        Span<ulong> words = stackalloc ulong[Words];
        var dropped = false;
        for (var i = 0; i < Words; i++)
        {
            var first = i * 64;
            words[i] = first + 64 <= keepFrom ? 0 : first >= keepFrom ? Word(i) : Word(i) & (ulong.MaxValue << (keepFrom - first));
            dropped |= words[i] != Word(i);
        }

        if (!dropped)
        {
            return this;
        }

        var kept = new DayBits
        {
            Latest = Latest, Recent = words[0], Older = words[1],
            Past128 = words[2], Past192 = words[3], Past256 = words[4], Past320 = words[5], Past384 = words[6],
        };
        return kept.IsEmpty ? Empty : kept;
    }

    /// <summary>The days marked in this bitmap or in <paramref name="other"/> (anchored at the later of the two; marks that fall out of the window are dropped).</summary>
    public DayBits Union(DayBits other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        var (late, early) = Latest >= other.Latest ? (this, other) : (other, this);
        Span<ulong> words = stackalloc ulong[Words];
        for (var i = 0; i < Words; i++)
        {
            words[i] = early.Word(i);
        }

        ShiftLeft(words, late.Latest - early.Latest);
        var added = false;
        for (var i = 0; i < Words; i++)
        {
            added |= (words[i] & ~late.Word(i)) != 0;
        }

        if (!added)
        {
            // Every mark of the earlier one is in the later one already.
            return late;
        }

        return new DayBits
        {
            Latest = late.Latest, Recent = words[0] | late.Recent, Older = words[1] | late.Older,
            Past128 = words[2] | late.Past128, Past192 = words[3] | late.Past192, Past256 = words[4] | late.Past256,
            Past320 = words[5] | late.Past320, Past384 = words[6] | late.Past384,
        };
    }

    /// <summary>Whether any day in [<paramref name="from"/>, <paramref name="to"/>] is marked (a few word masks, not a day-by-day scan).</summary>
    public bool Any(DateOnly from, DateOnly to) => Marked(from, to, count: false) != 0;

    /// <summary>How many days in [<paramref name="from"/>, <paramref name="to"/>] are marked.</summary>
    public int Count(DateOnly from, DateOnly to) => Marked(from, to, count: true);

    /// <summary>
    /// The earliest marked day in [<paramref name="from"/>, <paramref name="to"/>] inside the window, or null when none
    /// is (a few word masks, no allocation).
    /// </summary>
    public DateOnly? First(DateOnly from, DateOnly to)
    {
        var lo = Math.Max(Latest - to.DayNumber, 0);
        var hi = Math.Min(Latest - from.DayNumber, Span - 1);
        if (lo > hi || IsEmpty)
        {
            return null;
        }

        // The earliest day is the most days back: scan from the oldest word of the range.
        for (var w = hi >> 6; w >= lo >> 6; w--)
        {
            var first = Math.Max(lo - (w * 64), 0);
            var last = Math.Min(hi - (w * 64), 63);
            var bits = Word(w) & (ulong.MaxValue << first) & (ulong.MaxValue >> (63 - last));
            if (bits != 0)
            {
                var back = (w * 64) + 63 - System.Numerics.BitOperations.LeadingZeroCount(bits);
                return DateOnly.FromDayNumber(Latest - back);
            }
        }

        return null;
    }

    /// <summary>The marks in [<paramref name="from"/>, <paramref name="to"/>] inside the window: counted, or when not <paramref name="count"/> 1 at the first word that has any.</summary>
    private int Marked(DateOnly from, DateOnly to, bool count)
    {
        var lo = Math.Max(Latest - to.DayNumber, 0); // fewest days back
        var hi = Math.Min(Latest - from.DayNumber, Span - 1);
        if (lo > hi || IsEmpty)
        {
            return 0;
        }

        var n = 0;
        for (var w = lo >> 6; w <= hi >> 6; w++)
        {
            var first = Math.Max(lo - (w * 64), 0);
            var last = Math.Min(hi - (w * 64), 63);
            var mask = (ulong.MaxValue << first) & (ulong.MaxValue >> (63 - last));
            var bits = Word(w) & mask;
            if (bits != 0 && !count)
            {
                return 1;
            }

            n += System.Numerics.BitOperations.PopCount(bits);
        }

        return n;
    }

    /// <summary>
    /// The bitmap of <paramref name="day"/> alone, equal to <c>Empty.With(day)</c>: the first mark of an empty bitmap (each
    /// kind of activity of a new member, of a new region, of a kind the member had not done in the window). Immutable,
    /// so one instance per day is shared by every member and thread that marks it, from a small table of the last days
    /// asked for (a slot per day number modulo its size; a race makes at most one more, equal, instance).
    /// </summary>
    internal static DayBits FirstMark(DateOnly day)
    {
        var dayNumber = day.DayNumber;
        ref var slot = ref FirstMarks[dayNumber & (FirstMarks.Length - 1)];
        if (Volatile.Read(ref slot) is { } shared && shared.Latest == dayNumber)
        {
            return shared;
        }

        var made = new DayBits { Latest = dayNumber, Recent = 1 };
        Volatile.Write(ref slot, made);
        return made;
    }

    private ulong Word(int i) => i switch
    {
        0 => Recent,
        1 => Older,
        2 => Past128,
        3 => Past192,
        4 => Past256,
        5 => Past320,
        _ => Past384,
    };

    /// <summary>Moves every bit <paramref name="shift"/> days back (bit i becomes bit i + shift); bits past the span fall off.</summary>
    private static void ShiftLeft(Span<ulong> words, int shift)
    {
        if (shift >= Span)
        {
            words.Clear();
            return;
        }

        var whole = shift >> 6;
        var bits = shift & 63;
        for (var i = words.Length - 1; i >= 0; i--)
        {
            var from = i - whole;
            var high = from >= 0 ? words[from] << bits : 0;
            var low = bits != 0 && from >= 1 ? words[from - 1] >> (64 - bits) : 0;
            words[i] = high | low;
        }
    }
}
