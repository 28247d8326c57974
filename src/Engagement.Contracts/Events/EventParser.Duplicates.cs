using System.Globalization;
using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>A field given twice in one event (docs/publishing-events.md "Keys a POS must keep unique").</summary>
public static partial class EventParser
{
    /// <summary>What a field given twice is told: the event is refused, never resolved to one of the values.</summary>
    public const string GivenTwice = "given twice; send each field once (a repeated key is refused, not resolved to one of its values)";

    /// <summary>
    /// Every field of <paramref name="element"/> that appears more than once in its object (names compared after JSON
    /// unescaping, case-sensitive), at any depth, by path: <c>amount</c>, <c>items[0].quantity</c>, <c>properties.tier</c>.
    /// JSON leaves a repeated key's meaning open and System.Text.Json kept the last one, so
    /// <c>{"amount":1,"amount":5000}</c> applied 5,000 CNY. Checked per event rather than with
    /// <see cref="JsonDocumentOptions.AllowDuplicateProperties"/> on the whole message, which would refuse a batch whole
    /// and lose the valid events beside the bad one (CONTRACT.md §1: a bad event goes to the poison queue alone).
    /// </summary>
    private static List<EventValidationError> RepeatedFields(JsonElement element)
    {
        var errors = new List<EventValidationError>();
        Walk(element, string.Empty, errors);
        return errors;
    }

    private static void Walk(JsonElement element, string path, List<EventValidationError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var reported = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (NameOf(property) is not { } name)
                    {
                        // A key with a lone surrogate escape cannot be read as text: the field readers name it.
                        continue;
                    }

                    // The key is a producer's text: an identifier (preferredLanguage) is named as sent; anything else as an
                    // echoed value is (masked, at most 24 characters), never whole.
                    var shown = IsIdentifier(name) ? name : EventBounds.Echo(name);
                    var field = path.Length == 0 ? shown : path + "." + shown;
                    if (!seen.Add(name))
                    {
                        // Once per key as sent: two different keys masked alike are still two errors.
                        if (reported.Add(name))
                        {
                            errors.Add(new(field, GivenTwice));
                        }

                        continue;
                    }

                    Walk(property.Value, field, errors);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), errors);
                }

                break;
        }
    }

    /// <summary>
    /// A key shown as sent: <c>[A-Za-z_][A-Za-z0-9_]*</c>, at most 64 characters, with no run of more than
    /// <see cref="MaxShownDigitRun"/> digits (a key such as <c>tel13800138000</c> carries a phone number: it is masked).
    /// </summary>
    private static bool IsIdentifier(string name)
    {
        if (name.Length is 0 or > 64 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        var digits = 0;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }

            digits = char.IsAsciiDigit(c) ? digits + 1 : 0;
            if (digits > MaxShownDigitRun)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The longest run of digits a key shown as sent may hold (4: a year, a store number; not a phone or card number).</summary>
    private const int MaxShownDigitRun = 4;

    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
