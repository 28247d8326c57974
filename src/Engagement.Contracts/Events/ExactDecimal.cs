using System.Numerics;

namespace Engagement.Contracts.Events;

/// <summary>
/// Whether a <see cref="decimal"/> read from JSON holds its text exactly. .NET rounds a number past about 28
/// significant digits to the nearest decimal without a word (<c>28.99999999999999999999999999999</c> reads as 29),
/// so a check of the decimals on the parsed value would pass an amount that was in fact rounded (CONTRACT.md §1:
/// amounts are refused, never rounded).
/// </summary>
internal static class ExactDecimal
{
    /// <summary>No amount needs more characters than this; longer text is not checked digit by digit and counts as inexact.</summary>
    private const int MaxTextLength = 64;

    /// <summary>
    /// True when <paramref name="text"/> (a JSON number or an invariant numeric string: sign, digits, point,
    /// exponent) denotes exactly <paramref name="value"/>; false when digits were rounded away, or the text is not
    /// such a number or longer than 64 characters.
    /// </summary>
    public static bool Holds(ReadOnlySpan<char> text, decimal value)
    {
        text = text.Trim();
        if (text.Length is 0 or > MaxTextLength || !TryParse(text, out var mantissa, out var exponent))
        {
            return false;
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var magnitude = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        var decimalMantissa = bits[3] < 0 ? -magnitude : magnitude;

        // Compare mantissa × 10^exponent with decimalMantissa × 10^-scale at the smaller of the two exponents.
        var common = Math.Min(exponent, -scale);
        return mantissa * BigInteger.Pow(10, exponent - common) == decimalMantissa * BigInteger.Pow(10, -scale - common);
    }

    /// <summary>
    /// <paramref name="value"/> without trailing zeros after its point (<c>12.50000</c> → <c>12.5</c>, <c>100.00</c> →
    /// <c>100</c>): the same value whatever scale its JSON text had, so an amount sent as <c>12.50000</c> and its retry sent
    /// as <c>12.5</c> are one value bit for bit (CONTRACT.md §1 <c>amount</c>). Only zeros go: the value is unchanged.
    /// </summary>
    public static decimal Normalised(decimal value)
    {
        while (value.Scale > 0)
        {
            var fewer = decimal.Round(value, value.Scale - 1);
            if (fewer != value)
            {
                break;
            }

            value = fewer;
        }

        return value;
    }

    /// <summary>
    /// <paramref name="value"/> written with exactly <paramref name="scale"/> decimals (<c>12.5</c> and <c>12.50000</c> →
    /// <c>12.50</c> at 2, the minor unit of CNY), when that keeps it exact. A value with more decimals than that (the
    /// validator refuses it, CONTRACT.md §1 <c>amount</c>: never rounded) or of 10^18 and more (no accepted amount is that
    /// large) comes back as given, scale included, so its refusal quotes what was sent (<c>12.5050</c>, not <c>12.505</c>):
    /// nothing is rounded here.
    /// </summary>
    public static decimal AtScale(decimal value, int scale)
    {
        var normal = Normalised(value);
        if (normal.Scale > scale || scale > 28 || decimal.Abs(normal) >= 1_000_000_000_000_000_000m)
        {
            return value;
        }

        // Adding a zero of the wanted scale raises the scale without touching the value (decimal addition keeps the larger).
        return normal.Scale == scale ? normal : normal + new decimal(0, 0, 0, false, (byte)scale);
    }

    private static bool TryParse(ReadOnlySpan<char> text, out BigInteger mantissa, out int exponent)
    {
        mantissa = BigInteger.Zero;
        exponent = 0;
        var i = 0;
        var negative = false;
        if (text[i] is '-' or '+')
        {
            negative = text[i] == '-';
            i++;
        }

        var digits = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++, digits++)
        {
            mantissa = (mantissa * 10) + (text[i] - '0');
        }

        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++, digits++)
            {
                mantissa = (mantissa * 10) + (text[i] - '0');
                exponent--;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            if (!int.TryParse(text[(i + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var power)
                || power is > MaxTextLength or < -MaxTextLength)
            {
                return false;
            }

            exponent += power;
            i = text.Length;
        }

        mantissa = negative ? -mantissa : mantissa;
        return digits > 0 && i == text.Length;
    }
}
