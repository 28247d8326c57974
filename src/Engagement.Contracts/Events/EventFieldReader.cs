using System.Globalization;
using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>
/// Reads the fields of one envelope object for <see cref="EventParser"/>, adding an error naming the field for
/// each value of the wrong JSON type or that is not Unicode text. Bounds and business rules are
/// <see cref="EventValidator"/>'s.
/// </summary>
internal readonly partial struct EventFieldReader(JsonElement root, List<EventValidationError> errors)
{
    public string? String(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(name, "must be a string"));
            return null;
        }

        return Text(value, name);
    }

    public DateTimeOffset? Timestamp(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        // One rule for every instant the engine reads (CONTRACT.md §1): ISO-8601 with an explicit offset.
        if (!Campaigns.OffsetDateTimeJsonConverter.TryParse(text, out var at))
        {
            errors.Add(new(name, Campaigns.OffsetDateTimeJsonConverter.Rule));
            return null;
        }

        return at;
    }

    /// <summary>
    /// A money field exactly as its text has it, scale included (<c>12.5050</c> stays <c>12.5050</c>), so a refusal by the
    /// validator quotes what was sent; the parser puts an accepted amount at its currency's minor unit
    /// (<see cref="ExactDecimal.AtScale"/>).
    /// </summary>
    public decimal? Decimal(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ReadDecimal(value, name, normalise: false);
    }

    public List<EventItem> Items(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(name, "must be an array"));
            return [];
        }

        if (value.GetArrayLength() > EventBounds.MaxItems)
        {
            errors.Add(new(name, "at most 100 lines"));
            return [];
        }

        var items = new List<EventItem>();
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"{name}[{index++}]");
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(field, "must be an object"));
                continue;
            }

            var line = new EventFieldReader(element, errors);
            items.Add(new EventItem
            {
                Sku = line.NestedString(field, "sku"),
                Category = line.NestedString(field, "category"),
                Quantity = line.NestedInt(field, "quantity"),
                UnitPrice = line.NestedDecimal(field, "unitPrice"),
            });
        }

        return items;
    }

    public Dictionary<string, string> Properties(string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(name, "must be an object"));
            return result;
        }

        Flatten(value, prefix: null, result);
        return result;
    }

    /// <summary>Reads <c>coupons</c> (CONTRACT.md §1: purchase only, at most 20 codes of 1–64 characters); empty when absent.</summary>
    public IReadOnlyList<string> Coupons(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(name, "must be an array of coupon codes"));
            return [];
        }

        if (value.GetArrayLength() > EventBounds.MaxCoupons)
        {
            errors.Add(new(name, "at most 20 codes"));
            return [];
        }

        var codes = new List<string>();
        var index = 0;
        foreach (var code in value.EnumerateArray())
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"{name}[{index++}]");
            if (code.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(field, "must be a string"));
                continue;
            }

            codes.Add(Text(code, field) ?? string.Empty);
        }

        EventValidator.ValidateCoupons(codes, errors);
        return codes;
    }

    /// <summary>Reads <c>memberRef</c> for its bounds only: until identity mapping exists, memberId decides.</summary>
    public void MemberRef(string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(name, "must be an object {type, value}"));
            return;
        }

        var reference = new EventFieldReader(value, errors);
        EventValidator.ValidateMemberRef(reference.NestedString(name, "type"), reference.NestedString(name, "value"), errors);
    }

    private void Flatten(JsonElement obj, string? prefix, Dictionary<string, string> into)
    {
        foreach (var property in obj.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                errors.Add(new("properties", "a key is not valid Unicode text (a lone surrogate escape such as \\ud800)"));
                continue;
            }

            var key = prefix is null ? name : prefix + "." + name;
            var v = property.Value;
            switch (v.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(v, key, into);
                    break;
                case JsonValueKind.String:
                    if (Text(v, "properties." + EventBounds.Echo(key)) is { } text)
                    {
                        into[key] = text;
                    }

                    break;
                case JsonValueKind.True:
                    into[key] = "true";
                    break;
                case JsonValueKind.False:
                    into[key] = "false";
                    break;
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    break;
                default:
                    // Numbers keep the producer's own text (no float round trip); arrays stay JSON.
                    into[key] = v.GetRawText();
                    break;
            }
        }
    }

    /// <summary>
    /// The text of a JSON string, or null and an error when it is not Unicode text: a lone surrogate escape
    /// (<c>"\\ud800"</c>) is valid JSON but no string can hold it; GetString throws on it.
    /// </summary>
    private string? Text(JsonElement value, string field)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            errors.Add(new(field, "is not valid Unicode text (a lone surrogate escape such as \\ud800)"));
            return null;
        }
    }

    private string? NestedString(string parent, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new($"{parent}.{name}", "must be a string"));
            return null;
        }

        return Text(value, $"{parent}.{name}");
    }

    private int NestedInt(string parent, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        // An integer an int cannot hold (3000000000, 1e12) is an integer all the same: it reaches the validator as the
        // nearest int, so it is told the field's bound ("must be 0–10,000"), as 20000 is, not "must be an integer".
        if (value.ValueKind == JsonValueKind.Number && PastInt32(value.GetRawText()) is { } nearest)
        {
            return nearest;
        }

        errors.Add(new($"{parent}.{name}", "must be an integer"));
        return 0;
    }

    /// <summary>
    /// For a JSON number's text that is a whole number outside the range of an int (digits only, or a form such as
    /// <c>1e12</c>, <c>1e29</c>, <c>1e400</c>), the nearest int (<see cref="int.MinValue"/> or <see cref="int.MaxValue"/>);
    /// null for anything else.
    /// </summary>
    private static int? PastInt32(string text)
    {
        var negative = text.StartsWith('-');
        var digits = text.AsSpan(negative ? 1 : 0);
        var whole = digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
        if (!whole && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            whole = number == decimal.Truncate(number) && number is < int.MinValue or > int.MaxValue;
        }
        else if (!whole && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var large))
        {
            // Past a decimal's range (about 7.9e28): every double that large is integral, and one past a double's
            // (1e400 reads as infinity) is a number of over 300 digits, out of an int's range all the same.
            whole = !double.IsNaN(large) && (double.IsInfinity(large) || (large == Math.Truncate(large) && large is < int.MinValue or > int.MaxValue));
        }

        return whole ? (negative ? int.MinValue : int.MaxValue) : null;
    }

    private decimal NestedDecimal(string parent, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? ReadDecimal(value, $"{parent}.{name}") ?? 0m
            : 0m;

    /// <summary>
    /// What a money field that is not a number is told: what is accepted, since quoted digits are accepted too and
    /// <c>"268,50"</c> or <c>" 268.50"</c> were told only "must be a number".
    /// </summary>
    internal const string NumberRule =
        "must be a JSON number (268.50) or the same digits quoted (\"268.50\"): digits, one point for decimals, an optional leading minus; no spaces, thousands separators or decimal comma";

    private decimal? ReadDecimal(JsonElement value, string field, bool normalise = true)
    {
        // Some producers quote amounts to keep decimals exact; accept an invariant numeric string too.
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString(),
            _ => null,
        };
        decimal number = default;
        var parsed = value.ValueKind == JsonValueKind.Number
            ? value.TryGetDecimal(out number)
            : decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
        if (text is null || !parsed)
        {
            // A JSON number that a decimal cannot hold (1e400) is a number all the same: say what is wrong with it.
            errors.Add(new(field, value.ValueKind == JsonValueKind.Number
                ? $"{EventBounds.EchoNumber(text)} is too large a number to hold; send the exact amount"
                : NumberRule));
            return null;
        }

        if (!ExactDecimal.Holds(text, number))
        {
            // .NET rounds past ~28 significant digits without a word; the rounded value could pass every later check.
            errors.Add(new(field, $"{EventBounds.EchoNumber(text)} has more digits than can be held exactly; send the exact amount, it is never rounded"));
            return null;
        }

        // One form per value: 12.50000 is stored and echoed as 12.5, never with the scale its text happened to have.
        return normalise ? ExactDecimal.Normalised(number) : number;
    }
}
