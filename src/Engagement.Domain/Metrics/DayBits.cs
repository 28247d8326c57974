namespace Engagement.Domain.Metrics;

/// <summary>
/// Which of the last <see cref="Span"/> local days something happened on (a member's activity, purchase, share...):
/// a 128-day bitmap anchored at the latest day seen. Bounded (two longs and a day number) and exact for days inside
/// the window; days older than the window are unknown (<see cref="Covers"/>). Immutable: <see cref="With"/> returns a
/// new value.
/// </summary>
public sealed record DayBits
{
    /// <summary>Days the bitmap remembers, counting back from <see cref="Latest"/> (inclusive).</summary>
    public const int Span = 128;

    /// <summary>The latest day marked (<see cref="DateOnly.DayNumber"/>), or 0 when nothing is marked.</summary>
    public int Latest { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 0 … − 63 (bit i = Latest − i).</summary>
    public ulong Recent { get; init; }

    /// <summary>Bits for <see cref="Latest"/> − 64 … − 127.</summary>
    public ulong Older { get; init; }

    /// <summary>An empty bitmap.</summary>
    public static DayBits Empty { get; } = new();

    /// <summary>True when nothing was ever marked.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Recent == 0 && Older == 0;

    /// <summary>True when <paramref name="day"/> lies in the window, so <see cref="Has"/> answers it exactly.</summary>
    public bool Covers(DateOnly day) => IsEmpty || (day.DayNumber > Latest - Span);

    /// <summary>Whether <paramref name="day"/> is marked (false for days outside the window or after <see cref="Latest"/>).</summary>
    public bool Has(DateOnly day)
    {
        var back = Latest - day.DayNumber;
        if (IsEmpty || back < 0 || back >= Span)
        {
            return false;
        }

        return back < 64 ? (Recent & (1UL << back)) != 0 : (Older & (1UL << (back - 64))) != 0;
    }

    /// <summary>Marks <paramref name="day"/>; a day newer than <see cref="Latest"/> shifts the window forward.</summary>
    public DayBits With(DateOnly day)
    {
        if (IsEmpty)
        {
            return new DayBits { Latest = day.DayNumber, Recent = 1 };
        }

        var recent = Recent;
        var older = Older;
        var latest = Latest;
        var shift = day.DayNumber - latest;
        if (shift > 0)
        {
            (recent, older) = ShiftLeft(recent, older, shift);
            latest = day.DayNumber;
        }

        var back = latest - day.DayNumber;
        if (back >= Span)
        {
            return this;
        }

        if (back < 64)
        {
            recent |= 1UL << back;
        }
        else
        {
            older |= 1UL << (back - 64);
        }

        return new DayBits { Latest = latest, Recent = recent, Older = older };
    }

    /// <summary>Whether any day in [<paramref name="from"/>, <paramref name="to"/>] is marked.</summary>
    public bool Any(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            if (Has(d))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many days in [<paramref name="from"/>, <paramref name="to"/>] are marked.</summary>
    public int Count(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            n += Has(d) ? 1 : 0;
        }

        return n;
    }

    private static (ulong Recent, ulong Older) ShiftLeft(ulong recent, ulong older, int shift)
    {
        if (shift >= Span)
        {
            return (0, 0);
        }

        if (shift >= 64)
        {
            return (0, recent << (shift - 64));
        }

        return (recent << shift, (older << shift) | (recent >> (64 - shift)));
    }
}
