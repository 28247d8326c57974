using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Api.Members;
using Engagement.Api.Offers;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace Engagement.Api.Problems;

/// <summary>
/// A whole JSON number past its field's integer type (<c>"points": 99999999999999999999</c> or <c>1e30</c> past a long,
/// an item's <c>quantity</c> of <c>3000000000</c> past an int) is a number out of range, not a value of the wrong type:
/// the 400 tells the field's range in the words the endpoint gives an in-range value past its bound
/// (<c>points: must be 1–100000000</c>), as the queue's reader does for event fields (<c>EventFieldReader</c>). The rule
/// is the queue's: digits only, or an exponent form that is a whole number past the type (<c>1e30</c>); a fraction,
/// <c>2.0</c> or <c>1e2</c> (whole but within the type) is told it must be a whole number
/// (<see cref="JsonFieldErrors.WholeNumber"/>), as are strings and booleans. Read from the
/// body the server buffered (ApiHostingExtensions) at the exception's path; null when it is anything else.
/// </summary>
internal static partial class IntegerOverflow
{
    /// <summary>Where the buffering middleware keeps the body type of the request's endpoint (<see cref="Remember"/>).</summary>
    private static readonly object RequestTypeKey = new();

    /// <summary>Keeps the body type of the endpoint routing chose for <paramref name="context"/>, for <see cref="RangeAsync"/>.</summary>
    public static void Remember(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is { } type)
        {
            context.Items[RequestTypeKey] = type;
        }
    }

    /// <summary>The field and its range for a whole number past its type in <paramref name="bad"/>'s body, or null.</summary>
    public static async Task<(string Field, string Message)?> RangeAsync(HttpContext context, BadHttpRequestException bad, CancellationToken cancellationToken)
    {
        var json = FindJson(bad);
        // The exception handler clears the endpoint before it calls handlers: the request's own, as routing chose it.
        var type = (context.Items[RequestTypeKey] as Type)
            ?? (context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var field = JsonFieldErrors.FieldOf(json?.Path);
        var body = context.Request.Body;
        if (json is null || type is null || field is null || !body.CanSeek || JsonFieldErrors.MissingRequired(json).Count > 0)
        {
            return null;
        }

        body.Position = 0;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (At(root, json.Path!) is not { ValueKind: JsonValueKind.Number } value || Rule(type, Index().Replace(field, "[]"), root) is not { } rule)
            {
                return null;
            }

            return PastRange(value.GetRawText(), rule.Min, rule.Max) ? (field, rule.Message) : null;
        }
    }

    /// <summary>The integer type's bounds and the endpoint's range wording for a field, by the request's body type.</summary>
    private static (decimal Min, decimal Max, string Message)? Rule(Type type, string field, JsonElement root)
    {
        if (type == typeof(MemberRedemptionBody) && field == "points")
        {
            var atStore = Given(root, "rewardId") && Given(root, "storeId");
            return (long.MinValue, long.MaxValue, MemberEndpoints.PointsRange(atStore));
        }

        if (type == typeof(CatalogueRedemptionRequest) && field == "points")
        {
            return (long.MinValue, long.MaxValue, MemberEndpoints.PointsRange(atStore: true));
        }

        if (type == typeof(AdjustmentRequest) && field == "delta")
        {
            return (long.MinValue, long.MaxValue, Support.MemberAdjustments.DeltaRange);
        }

        return type == typeof(CouponRedeemRequest) && field == "items[].quantity"
            ? (int.MinValue, int.MaxValue, CouponEndpoints.QuantityRange)
            : null;
    }

    /// <summary>
    /// Whether a JSON number's text is a whole number outside <paramref name="min"/>–<paramref name="max"/>: digits only,
    /// or a form such as <c>1e30</c> or <c>1e400</c> (the queue's <c>PastInt32</c> rule for any integer type).
    /// </summary>
    internal static bool PastRange(string text, decimal min, decimal max)
    {
        var negative = text.StartsWith('-');
        var digits = text.AsSpan(negative ? 1 : 0);
        if (digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9'))
        {
            // Past a decimal's range too (29 digits and more): out of any integer type's.
            return !decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) || whole < min || whole > max;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number == decimal.Truncate(number) && (number < min || number > max);
        }

        // Past a decimal's range (about 7.9e28) every double is integral; 1e400 reads as infinity, over 300 digits.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var large)
            && !double.IsNaN(large)
            && (double.IsInfinity(large) || (large == Math.Truncate(large) && (large < (double)min || large > (double)max)));
    }

    private static JsonException? FindJson(Exception bad)
    {
        for (var inner = bad.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static bool Given(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The value at <paramref name="path"/> (<c>$.items[0].quantity</c>), or null when it is not there.</summary>
    internal static JsonElement? At(JsonElement root, string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        var steps = Step().Matches(path[1..]);
        if (steps.Sum(s => s.Length) != path.Length - 1)
        {
            return null;
        }

        var node = root;
        foreach (Match step in steps)
        {
            if (step.Groups["index"].Success)
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                if (node.ValueKind != JsonValueKind.Array || index >= node.GetArrayLength())
                {
                    return null;
                }

                node = node[index];
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value.Replace("''", "'", StringComparison.Ordinal);
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(name, out var next))
                {
                    return null;
                }

                node = next;
            }
        }

        return node;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>(?:[^']|'')*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex Step();

    [GeneratedRegex(@"\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex Index();
}
