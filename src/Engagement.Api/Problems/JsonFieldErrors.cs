using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engagement.Api.Problems;

/// <summary>
/// The fields a <see cref="JsonException"/> from reading a request body is about, spelled the way the body spells
/// them (<c>$.arms[1].weight</c> → <c>arms[1].weight</c>), for 400 problem details (docs/http-api.md: every bad field is named).
/// A value of the wrong type names its own path. A missing required property (a C# <c>required</c> member, which
/// System.Text.Json refuses before any validation runs) names each missing property (camelCase, under its object's
/// path) with <see cref="Required"/>, all of them at once, rather than "the body is not valid JSON".
/// </summary>
public static partial class JsonFieldErrors
{
    /// <summary>What a missing required field is told.</summary>
    public const string Required = "is required";

    /// <summary>
    /// What a key given twice in one object is told (<c>{"points":10,"points":600}</c>): the body is refused, never
    /// resolved to one of the values (the API's JSON options set <see cref="JsonSerializerOptions.AllowDuplicateProperties"/> false).
    /// </summary>
    public const string GivenTwice = "given twice; send each field once (a repeated key is refused, not resolved to one of its values)";

    /// <summary>What a value that does not bind (or a body that is not JSON) is told.</summary>
    public const string WrongType = "has the wrong type, or the body is not valid JSON in UTF-8";

    /// <summary>
    /// What a value that does not bind to an integer field (points, a quantity, days) is told: <c>10.5</c>, <c>2.0</c>,
    /// <c>1e3</c> or <c>"many"</c>; a whole number past the type is told the field's range instead (IntegerOverflow).
    /// </summary>
    public const string WholeNumber = "must be a whole number, in digits (10; not 10.5, 10.0 or 1e1)";

    /// <summary>
    /// What a whole number past its integer field's type is told where the endpoint has no range wording of its own
    /// (<c>"priority": 3000000000</c> for an int): the type's bound, <c>is out of range (at most 2147483647)</c>.
    /// </summary>
    public static string OutOfRange(string bound) => $"is out of range ({bound})";

    /// <summary>
    /// Field → message for <paramref name="exception"/>: the missing required properties when that is what it
    /// reports, else its path (<c>body</c> for the root) with, when the value was for an integer field,
    /// <see cref="OutOfRange"/> if <paramref name="body"/> (the request body as read, UTF-8 JSON) holds a whole number
    /// past the type there and <see cref="WholeNumber"/> otherwise; <paramref name="wrongType"/> for any other value.
    /// </summary>
    public static IReadOnlyList<(string Field, string Message)> Describe(JsonException exception, string wrongType = WrongType, byte[]? body = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var at = FieldOf(exception.Path);
        if (RepeatedName(exception) is { } repeated)
        {
            // The serializer's path is the object's or the repeated property's, depending on where it noticed.
            var field = at is null ? repeated : at == repeated || at.EndsWith("." + repeated, StringComparison.Ordinal) ? at : at + "." + repeated;
            return [(field, GivenTwice)];
        }

        var names = MissingRequired(exception);
        return names.Count > 0
            ? [.. names.Select(name => (at is null ? name : at + "." + name, Required))]
            : [(at ?? "body", IntegerTarget().Match(exception.Message) is { Success: true } integer ? Integer(integer.Groups["type"].Value, exception.Path, body) : wrongType)];
    }

    /// <summary><see cref="OutOfRange"/> for a whole number past <paramref name="type"/> at <paramref name="path"/> in <paramref name="body"/>, else <see cref="WholeNumber"/>.</summary>
    private static string Integer(string type, string? path, byte[]? body)
    {
        (decimal Min, decimal Max) bounds = type switch
        {
            "Byte" => (byte.MinValue, byte.MaxValue),
            "SByte" => (sbyte.MinValue, sbyte.MaxValue),
            "Int16" => (short.MinValue, short.MaxValue),
            "UInt16" => (ushort.MinValue, ushort.MaxValue),
            "Int32" => (int.MinValue, int.MaxValue),
            "UInt32" => (uint.MinValue, uint.MaxValue),
            "UInt64" => (ulong.MinValue, ulong.MaxValue),
            _ => ((decimal)long.MinValue, (decimal)long.MaxValue),
        };
        if (body is null || path is null)
        {
            return WholeNumber;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (IntegerOverflow.At(document.RootElement, path) is { ValueKind: JsonValueKind.Number } value
                && IntegerOverflow.PastRange(value.GetRawText(), bounds.Min, bounds.Max))
            {
                var bound = value.GetRawText().StartsWith('-')
                    ? "at least " + bounds.Min.ToString(CultureInfo.InvariantCulture)
                    : "at most " + bounds.Max.ToString(CultureInfo.InvariantCulture);
                return OutOfRange(bound);
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the serializer's own account stands.
        }

        return WholeNumber;
    }

    /// <summary>
    /// The JSON names of the required properties <paramref name="exception"/> reports missing; empty when it reports
    /// something else. System.Text.Json lists them in its message ("… missing required properties including:
    /// 'reason', 'kind'."), its only account of them.
    /// </summary>
    public static IReadOnlyList<string> MissingRequired(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var list = MissingList().Match(exception.Message);
        return list.Success ? [.. QuotedName().Matches(list.Groups["names"].Value).Select(m => m.Groups["name"].Value)] : [];
    }

    /// <summary>
    /// The JSON name of the property <paramref name="exception"/> reports given twice, or null when it reports something
    /// else. System.Text.Json names it only in its message ("Duplicate property 'points' encountered during deserialization …").
    /// </summary>
    public static string? RepeatedName(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var match = DuplicateName().Match(exception.Message);
        return match.Success ? match.Groups["name"].Value : null;
    }

    /// <summary><c>$.arms[1].weight</c> → <c>arms[1].weight</c>; null for the root (<c>$</c>) or no path.</summary>
    public static string? FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? null : path.TrimStart('$', '.');

    [GeneratedRegex(@"missing required properties including:(?<names>.*)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex MissingList();

    [GeneratedRegex(@"^Duplicate property '(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex DuplicateName();

    // "The JSON value could not be converted to System.Int64. Path: $.points …" (System.Nullable`1[System.Int32] for int?):
    // System.Text.Json names the field's type only in its message.
    [GeneratedRegex(@"could not be converted to System\.(?:Nullable`1\[System\.)?(?<type>S?Byte|U?Int16|U?Int32|U?Int64)\b", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerTarget();

    [GeneratedRegex(@"'(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedName();
}
