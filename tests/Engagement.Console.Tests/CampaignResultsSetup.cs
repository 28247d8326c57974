using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Console.Tests;

/// <summary>
/// A broadcast campaign over a region of its own, created, triggered and followed to completion through the API, then
/// some of its members buying: the campaign results page's fixtures.
/// </summary>
internal static class CampaignResultsSetup
{
    /// <summary>How long the campaign may take to complete, and its results to count the buyers: 60 s each.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Registers <paramref name="members"/> members in a new region, creates a broadcast campaign over it with
    /// <paramref name="controlShare"/> and a push coupon costing 5 CNY, triggers it, waits (polling with a deadline) until
    /// it completed, then posts a 150 CNY purchase for every <paramref name="everyNth"/>-th member (at most
    /// <paramref name="buyers"/>) and waits until the results count them. The region's name is drawn until at least
    /// <paramref name="minGlobalControl"/> of its members are in the programme's global control (a member's hold-out is a
    /// stable hash of its id, <see cref="Engagement.Domain.Campaigns.CampaignAssignment.IsGlobalControl"/>), so a test
    /// that needs that group is not left to chance. <paramref name="arms"/> names the campaign's arms (weight 1 each); none:
    /// the engine's default single arm. Returns the campaign id and its results.
    /// </summary>
    public static async Task<(string CampaignId, JsonObject Results)> RunAsync(
        ConsoleHostFixture host, string prefix, int members, double controlShare, int everyNth, int buyers, int minGlobalControl = 0,
        IReadOnlyList<string>? arms = null)
    {
        var percent = host.Services.GetRequiredService<Engagement.Contracts.Search.IAudienceIndex>().GlobalControlPercent;
        string region;
        List<string> ids;
        do
        {
            region = prefix + Guid.NewGuid().ToString("N")[..8];
            var named = region;
            ids = [.. Enumerable.Range(0, members).Select(i => $"{named}-{i:D3}")];
        }
        while (ids.Count(m => Engagement.Domain.Campaigns.CampaignAssignment.IsGlobalControl(m, percent)) < minGlobalControl);

        var now = host.Clock.GetUtcNow();
        await host.PostEventsAsync(ids.Select(m => (object)new { eventId = m + "-r", type = "register", memberId = m, occurredAt = now.AddDays(-40), regionId = region }));

        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var id = "res-" + region;
        var definition = new JsonObject
        {
            ["id"] = id,
            ["name"] = "Results " + region,
            ["kind"] = "broadcast",
            ["audience"] = new JsonObject { ["regions"] = new JsonArray(region) },
            ["channel"] = "push",
            ["offer"] = new JsonObject { ["kind"] = "coupon", ["code"] = "RES5", ["unitCost"] = 5m },
            ["controlShare"] = controlShare,
            ["validFrom"] = now.AddHours(-1),
            ["validUntil"] = now.AddDays(14),
        };
        if (arms is not null)
        {
            definition["arms"] = new JsonArray([.. arms.Select(a => (JsonNode)new JsonObject { ["name"] = a, ["weight"] = 1 })]);
        }

        using (var created = await api.PostAsJsonAsync("api/v1/campaigns", definition, ConsoleHostFixture.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        using (var triggered = await api.PostAsync($"api/v1/campaigns/{id}/trigger", null))
        {
            Assert.True(triggered.IsSuccessStatusCode, await triggered.Content.ReadAsStringAsync());
        }

        await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", ConsoleHostFixture.Json))!["status"]!.GetValue<string>(),
            status => status == "completed", Within, $"campaign {id} completed (its status)");

        var buying = ids.Where((_, i) => i % everyNth == 0).Take(buyers).ToList();
        var at = host.Clock.GetUtcNow();
        await host.PostEventsAsync(buying.Select(m => (object)new { eventId = m + "-b", type = "purchase", memberId = m, occurredAt = at, orderId = "B1", amount = 150m }));

        // Every buyer is in one group; the results count them once the member grains have told the campaign.
        var results = await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/results", ConsoleHostFixture.Json))!,
            shown => new[] { shown["treated"], shown["control"], shown["globalControl"] }.Sum(g => g!["converted"]!.GetValue<long>()) == buying.Count,
            Within, $"the results of {id} counting its {buying.Count} buyers as converted (the results)");
        return (id, results);
    }
}
