using System.Text.Json;

namespace Engagement.Api.Tests;

/// <summary>
/// Parses JSON refusing any object that holds a property name twice (System.Text.Json's own check,
/// <see cref="JsonDocumentOptions.AllowDuplicateProperties"/>): a body like <c>{"status": 409, "status": "x"}</c>
/// means something different to every client that reads it.
/// </summary>
internal static class StrictJson
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Throws <see cref="JsonException"/> naming the repeated key when <paramref name="utf8"/> repeats one in any object.</summary>
    public static void AssertNoDuplicateKeys(ReadOnlyMemory<byte> utf8, string what)
    {
        try
        {
            using var _ = JsonDocument.Parse(utf8, Strict);
        }
        catch (JsonException ex)
        {
            throw new JsonException($"{what} is not strict JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// Checks every JSON response the API tests receive (problem details above all) with <see cref="StrictJson"/>:
/// installed in <see cref="ApiHostFixture.Client"/>, so every test checks it without saying so.
/// </summary>
internal sealed class StrictJsonHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "application/json" or "application/problem+json")
        {
            // Buffered, so the test can still read the content after this check.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (body.Length > 0)
            {
                StrictJson.AssertNoDuplicateKeys(body, $"the {mediaType} body of {request.Method} {request.RequestUri?.PathAndQuery}");
            }
        }

        return response;
    }
}
