using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Problems;

/// <summary>
/// Turns what the server refuses while reading a request (a body over its size limit, JSON that does not bind,
/// a query value of the wrong type) into RFC 9457 problem details naming the field, instead of a 500:
/// 413 for a body too large, 400 otherwise. Minimal-API binding throws these because
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on (see ApiHostingExtensions).
/// </summary>
public sealed partial class BadRequestProblemHandler(IProblemDetailsService problems, ILogger<BadRequestProblemHandler> logger) : IExceptionHandler
{
    private const string TooLargeMessage = "larger than this endpoint accepts (POST /api/v1/events: 4 MB, one event 64 KB; other endpoints: 1 MB)";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var errors = new FieldErrors();
        // A whole number past its field's integer type is told the field's range, not "the wrong type" (IntegerOverflow).
        var described = await IntegerOverflow.RangeAsync(httpContext, bad, cancellationToken) is { } range ? [range]
            : Describe(bad, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? null : await BodyAsync(httpContext, cancellationToken));
        foreach (var (field, message) in described)
        {
            LogRefused(logger, httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, field, message);
            errors.Add(field, message);
        }

        var tooLarge = bad.StatusCode == StatusCodes.Status413PayloadTooLarge;
        var problem = new ValidationProblemDetails(errors.ToDictionary())
        {
            Status = bad.StatusCode,
            Title = tooLarge ? "The request body is too large" : "The request could not be read",
            Type = tooLarge ? "https://tools.ietf.org/html/rfc9110#section-15.5.14" : "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A 413 the framework wrote itself (body binding catches the server's refusal and sets the status) still
    /// names the field, like every other 413 of the API.
    /// </summary>
    public static void NameTheBodyOfA413(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Status == StatusCodes.Status413PayloadTooLarge
            && problem is not HttpValidationProblemDetails
            && !problem.Extensions.ContainsKey("errors"))
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [TooLargeMessage] };
        }
    }

    /// <summary>
    /// The fields a refusal is about and what to say, from what the server knows: every missing required field
    /// at once (<see cref="JsonFieldErrors"/>), else the one field or <c>body</c>.
    /// </summary>
    private static IReadOnlyList<(string Field, string Message)> Describe(BadHttpRequestException bad, byte[]? body)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return [("body", TooLargeMessage)];
        }

        for (var inner = bad.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return JsonFieldErrors.Describe(json, body: body);
            }
        }

        var parameter = ParameterName().Match(bad.Message);
        return parameter.Success
            ? [(parameter.Groups["name"].Value, "has the wrong format")]
            : [("body", "could not be read: " + bad.Message)];
    }

    /// <summary>The request body as the server buffered it (ApiHostingExtensions), or null when it cannot be read again.</summary>
    private static async Task<byte[]?> BodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = context.Request.Body;
        if (!body.CanSeek)
        {
            return null;
        }

        try
        {
            body.Position = 0;
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    // "Failed to bind parameter "int? limit" from "abc"." and the like.
    [GeneratedRegex(@"parameter ""[^""]*?(?<name>[A-Za-z_][A-Za-z0-9_]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Field} {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int status, string field, string reason);
}
