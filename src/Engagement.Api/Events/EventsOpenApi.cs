using System.Globalization;
using Microsoft.OpenApi;

namespace Engagement.Api.Events;

/// <summary>
/// The OpenAPI shape of <c>POST /api/v1/events</c>'s body (CONTRACT.md §4: the queue envelope, one or an array): the
/// endpoint reads the raw body, so the generated schema would name one envelope only.
/// </summary>
internal static class EventsOpenApi
{
    /// <summary>
    /// Replaces each request-body schema of <paramref name="operation"/> (one envelope) with <c>oneOf</c> that envelope
    /// or an array of 1 to <paramref name="maxBatch"/> of them.
    /// </summary>
    public static void OneOrAnArray(OpenApiOperation operation, int maxBatch)
    {
        if (operation.RequestBody?.Content is not { } content)
        {
            return;
        }

        foreach (var media in content.Values)
        {
            if (media.Schema is not { } one)
            {
                continue;
            }

            media.Schema = new OpenApiSchema
            {
                Description = string.Create(CultureInfo.InvariantCulture, $"One event envelope (CONTRACT.md §1), or an array of 1 to {maxBatch} of them"),
                OneOf = [one, new OpenApiSchema { Type = JsonSchemaType.Array, Items = one, MinItems = 1, MaxItems = maxBatch }],
            };
        }
    }
}
