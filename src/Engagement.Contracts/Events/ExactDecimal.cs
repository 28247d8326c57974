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
