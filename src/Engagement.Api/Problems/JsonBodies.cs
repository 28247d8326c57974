using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Engagement.Api.Problems;

/// <summary>
/// Reads a JSON request body so that one 400 names every field that does not bind (docs/http-api.md: every bad field is
/// named): each value that fails (a date without its offset, a string where a number belongs) is named and left
/// out, and the rest is read again, so the endpoint's own validation still runs on what remains.
/// </summary>
public static partial class JsonBodies
{
    /// <summary>Values named at most before reading stops (a bound on the work one body may cause).</summary>
    public const int MaxUnboundFields = 50;

    /// <summary>
    /// The body as <typeparamref name="T"/> with every value that does not bind left out and named in
    /// <paramref name="errors"/> (<paramref name="message"/> says what each was told); null when the body is not
    /// JSON, is JSON <c>null</c>, or misses a required property (each named too).
    /// </summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, FieldErrors errors, Func<JsonException, string> message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(message);

        // The server's body limit applies while this reads (a larger body is a 413 from BadRequestProblemHandler).
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            body = buffer.ToArray();
        }

        string? previous = null;
        for (var attempt = 0; attempt < MaxUnboundFields; attempt++)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(body, options);
            }
            catch (JsonException ex)
            {
                foreach (var (field, text) in JsonFieldErrors.Describe(ex, message(ex), body))
                {
                    errors.Add(field, text);
                }

                if (JsonFieldErrors.MissingRequired(ex).Count > 0 || ex.Path == previous || Without(body, ex.Path) is not { } rest)
                {
                    return null;
                }

                body = rest;
                previous = ex.Path;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="body"/> without the value at <paramref name="path"/>; null when the body is not JSON (a syntax
    /// error is named as it is), the path cannot be found, or the rest cannot be written (a lone surrogate elsewhere).
    /// </summary>
    private static byte[]? Without(byte[] body, string? path)
    {
        try
        {
            var root = JsonNode.Parse(body);
            return LeaveOut(root, path) ? Encoding.UTF8.GetBytes(root!.ToJsonString()) : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Removes the value at <paramref name="path"/> (<c>$.a.b[1].c</c>); an array item becomes null, keeping the indexes.</summary>
    private static bool LeaveOut(JsonNode? root, string? path)
    {
        if (root is null || path is null || !path.StartsWith('$'))
        {
            return false;
        }

        var steps = Step().Matches(path[1..]);
        if (steps.Count == 0 || steps.Sum(s => s.Length) != path.Length - 1)
        {
            return false;
        }

        var node = root;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var last = i == steps.Count - 1;
            if (step.Groups["index"].Success)
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                if (node is not JsonArray array || index >= array.Count)
                {
                    return false;
                }

                if (last)
                {
                    array[index] = null;
                    return true;
                }

                node = array[index];
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value.Replace("''", "'", StringComparison.Ordinal);
                if (node is not JsonObject obj || !obj.ContainsKey(name))
                {
                    return false;
                }

                if (last)
                {
                    return obj.Remove(name);
                }

                node = obj[name];
            }
        }

        return false;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>(?:[^']|'')*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex Step();
}
