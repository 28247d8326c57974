using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>Small helpers over the HTTP API, reading JSON as a person would (by field name).</summary>
public static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JsonObject?> GetMemberAsync(this HttpClient http, string memberId)
    {
        using var response = await http.GetAsync($"api/v1/members/{memberId}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>(Json))!.AsObject();
    }

    public static async Task<HttpResponseMessage> PostEventsAsync(this HttpClient http, object body) =>
        await http.PostAsJsonAsync("api/v1/events", body, Json);

    public static long Int64Of(this JsonObject o, string name) => o[name]!.GetValue<long>();

    public static string Str(this JsonObject o, string name) => o[name]!.GetValue<string>();
}
