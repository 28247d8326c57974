using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Contracts.Events;

/// <summary>The JSON settings of the wire (CONTRACT.md): camelCase names, nulls left out.</summary>
public static class EventJson
{
    /// <summary>Options for writing events and for the HTTP API; frozen, share freely.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
