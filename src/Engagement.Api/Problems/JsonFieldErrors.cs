using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engagement.Api.Problems;

/// <summary>
/// The fields a <see cref="JsonException"/> from reading a request body is about, spelled the way the body spells
/// them (<c>$.arms[1].weight</c> → <c>arms[1].weight</c>), for 400 problem details (README: every bad field is named).
/// A value of the wrong type names its own path. A missing required property (a C# <c>required</c> member, which
/// System.Text.Json refuses before any validation runs) names each missing property (camelCase, under its object's
/// path) with <see cref="Required"/>, all of them at once, rather than "the body is not valid JSON".
/// </summary>
public static partial class JsonFieldErrors
{
    /// <summary>What a missing required field is told.</summary>
    public const string Required = "is required";

    /// <summary>What a value that does not bind (or a body that is not JSON) is told.</summary>
    public const string WrongType = "has the wrong type, or the body is not valid JSON in UTF-8";

    /// <summary>
    /// Field → message for <paramref name="exception"/>: the missing required properties when that is what it
    /// reports, else its path (<c>body</c> for the root) with <paramref name="wrongType"/>.
    /// </summary>
    public static IReadOnlyList<(string Field, string Message)> Describe(JsonException exception, string wrongType = WrongType)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var at = FieldOf(exception.Path);
        var names = MissingRequired(exception);
        return names.Count > 0
            ? [.. names.Select(name => (at is null ? name : at + "." + name, Required))]
            : [(at ?? "body", wrongType)];
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

    /// <summary><c>$.arms[1].weight</c> → <c>arms[1].weight</c>; null for the root (<c>$</c>) or no path.</summary>
    public static string? FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? null : path.TrimStart('$', '.');

    [GeneratedRegex(@"missing required properties including:(?<names>.*)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex MissingList();

    [GeneratedRegex(@"'(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedName();
}
