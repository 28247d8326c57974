using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>Small helpers over the HTTP API, reading JSON as a person would (by field name).</summary>
public static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long <see cref="GetMemberAsync"/> asks again while the silo answers 503, by default.</summary>
    public static readonly TimeSpan UnavailablePatience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Reads a member's view (<c>GET /api/v1/members/{id}</c>); null when the member is unknown (404). A 503 (the API's
    /// "not now": a grain call that outlasted its timeout on a loaded machine, or storage unavailable; CONTRACT.md §3, the
    /// reads are safe to repeat) is asked again, as a client does, until <paramref name="patience"/> has passed
    /// (<see cref="UnavailablePatience"/> when null; <see cref="TimeSpan.Zero"/> throws at the first 503, for a test that
    /// judges 503s itself). Each 503 is written to the test output. Other failures throw
    /// <see cref="HttpRequestException"/> at once.
    /// </summary>
    public static async Task<JsonObject?> GetMemberAsync(this HttpClient http, string memberId, TimeSpan? patience = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            using var response = await http.GetAsync($"api/v1/members/{memberId}");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }

            var waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || waited >= (patience ?? UnavailablePatience))
            {
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<JsonNode>(Json))!.AsObject();
            }

            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} GET member {memberId} answered 503 after {waited.TotalSeconds:F1} s of asking; asking again");
            await Poll.PauseAsync();
        }
    }

    public static async Task<HttpResponseMessage> PostEventsAsync(this HttpClient http, object body) =>
        await http.PostAsJsonAsync("api/v1/events", body, Json);

    public static long Int64Of(this JsonObject o, string name) => o[name]!.GetValue<long>();

    public static string Str(this JsonObject o, string name) => o[name]!.GetValue<string>();
}
