using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// The calls the events API tests make as the admin key (<see cref="ApiHostFixture.AdminKey"/>): one event posted to
/// <c>api/v1/events</c> (as an object, or as raw JSON text, which a serializer cannot write when it is malformed or repeats
/// a key), and a member's points balance read back (docs/publishing-events.md "Keys a POS must keep unique", the status table).
/// </summary>
internal static class EventsApi
{
    /// <summary>The web defaults (camelCase) the API reads and writes with.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Posts <paramref name="evt"/> alone to <c>api/v1/events</c>: its one result, and the whole body as problem details
    /// when the answer is not 202 Accepted (null when it is).
    /// </summary>
    public static async Task<(JsonNode Result, JsonObject? Problem)> PostEventAsync(this ApiHostFixture host, object evt)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        return (Assert.Single(body["results"]!.AsArray())!, response.StatusCode == HttpStatusCode.Accepted ? null : body);
    }

    /// <summary>Posts <paramref name="body"/>, sent as it is (UTF-8, application/json), to <paramref name="path"/>; the caller disposes the answer.</summary>
    public static async Task<HttpResponseMessage> PostJsonTextAsync(this ApiHostFixture host, string path, string body)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await admin.PostAsync(path, content);
    }

    /// <summary>The points balance (points) of member <paramref name="memberId"/>'s view, <c>api/v1/members/{memberId}</c>.</summary>
    public static async Task<long> PointsBalanceAsync(this ApiHostFixture host, string memberId)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{memberId}", Json);
        return view!["pointsBalance"]!.GetValue<long>();
    }
}
