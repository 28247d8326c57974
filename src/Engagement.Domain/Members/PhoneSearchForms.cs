namespace Engagement.Domain.Members;

/// <summary>
/// The digit strings a support search for a phone looks up (CONTRACT.md §4, <c>GET /members?query=</c>): members'
/// phones are indexed by their digits as written, with or without the country code, so a query is tried as the
/// national number and with China's country code in front (<c>86</c>, <c>0086</c>). <c>+86 138 0013 8000</c>,
/// <c>8613800138000</c>, <c>0086 13800138000</c> and <c>13800138000</c> all find a member registered with any of
/// these forms. A query with another country code (<c>+1 415 …</c>) is looked up as written.
/// </summary>
public static class PhoneSearchForms
{
    /// <summary>China's country calling code.</summary>
    public const string ChinaCode = "86";

    /// <summary>Digits of a Chinese mobile number without its country code.</summary>
    public const int MobileDigits = 11;

    /// <summary>Fewest digits of the national number searched (shorter prefixes match too much).</summary>
    public const int MinDigits = 3;

    /// <summary>
    /// The digit prefixes to look up for <paramref name="query"/>, best first; empty when it is not a phone query: it
    /// holds anything but digits, spaces, <c>+ - . ( )</c>, or fewer than <see cref="MinDigits"/> digits.
    /// </summary>
    public static IReadOnlyList<string> Of(string? query)
    {
        if (string.IsNullOrWhiteSpace(query) || !query.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '.' or '(' or ')'))
        {
            return [];
        }

        var digits = new string([.. query.Where(char.IsAsciiDigit)]);
        var international = query.TrimStart().TrimStart('(').StartsWith('+') || digits.StartsWith("00", StringComparison.Ordinal);
        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        string national;
        if (international)
        {
            if (!digits.StartsWith(ChinaCode, StringComparison.Ordinal))
            {
                return digits.Length >= MinDigits ? [digits] : [];
            }

            national = digits[ChinaCode.Length..];
        }
        else
        {
            // 86 + an 11-digit mobile number (starting 1) written without its "+".
            national = digits.Length == ChinaCode.Length + MobileDigits && digits.StartsWith(ChinaCode + "1", StringComparison.Ordinal)
                ? digits[ChinaCode.Length..]
                : digits;
        }

        return national.Length < MinDigits ? [] : [national, ChinaCode + national, "00" + ChinaCode + national];
    }
}
