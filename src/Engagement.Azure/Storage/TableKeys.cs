using System.Globalization;
using System.Text;

namespace Engagement.Azure.Storage;

/// <summary>
/// Builds Azure Table partition and row keys. Table keys may not contain <c>/ \ # ?</c> or control characters;
/// <see cref="Escape"/> replaces them (and <c>%</c> and the separator <c>|</c>) with <c>%XX</c> so that the
/// mapping stays one-to-one and an escaped value never contains <see cref="Separator"/>. That is what keeps two
/// composite keys such as <c>serviceId|grainId</c> from colliding.
/// </summary>
internal static class TableKeys
{
    /// <summary>Joins the parts of a composite key; never produced by <see cref="Escape"/>.</summary>
    public const char Separator = '|';

    /// <summary>The character right after <see cref="Separator"/>, the exclusive upper bound of a prefix scan.</summary>
    public const char AfterSeparator = '}';

    /// <summary>Azure Tables allows 1 KiB per key, i.e. 512 UTF-16 characters.</summary>
    public const int MaxKeyLength = 512;

    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEscaping(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (MustEscape(c))
            {
                builder.Append('%');
                if (c <= 0xFF)
                {
                    builder.Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Join(string first, string second) => Escape(first) + Separator + Escape(second);

    public static string CheckLength(string key, string what) =>
        key.Length <= MaxKeyLength
            ? key
            : throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {what} '{key[..64]}…' is {key.Length} characters; Azure Tables allows {MaxKeyLength}."),
                nameof(key));

    /// <summary>An OData string literal for a query filter.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static bool NeedsEscaping(string value)
    {
        foreach (var c in value)
        {
            if (MustEscape(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MustEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or Separator || char.IsControl(c);
}
