using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// A campaign's <c>audience.regions</c> keeps the events' regionId rule (<c>RegionIdRule</c>): a campaign can target every
/// region a member can be in: plain 华东 is accepted, and a campaign for a 华东-… region reaches exactly its members.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class CampaignRegionApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ACampaignFor华东IsAcceptedAndReachesTheMembersIn华东Only()
    {
        // Matching uses 华东-{suffix} (a region of this run only, so members of other tests in the shared host are not in
        // it); plain 华东 is checked for acceptance in RegionsAreBoundedInCodePointsAndABadOneIsAProblemNamingItsEntry.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var east = "华东-" + suffix;
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        string[] inEast = [$"hd{suffix}-1", $"hd{suffix}-2"];
        var inWest = $"hx{suffix}-1";
        await PostEventsAsync([
            .. inEast.Select(m => (object)new { eventId = m + "-r", type = "register", memberId = m, occurredAt = at, regionId = east }),
            new { eventId = inWest + "-r", type = "register", memberId = inWest, occurredAt = at, regionId = "华西-" + suffix },
        ]);
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var id = "hd-" + suffix;

        using var created = await CreateAsync(marketing, id, [east]);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var triggered = await marketing.PostAsync($"api/v1/campaigns/{id}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);

        var done = await Poll.UntilAsync(() => marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json), c => c["status"]!.GetValue<string>() == "completed");
        Assert.Equal(inEast.Length, done["progress"]!["reached"]!.GetValue<long>());
        foreach (var member in inEast)
        {
            using var reached = await marketing.GetAsync($"api/v1/campaigns/{id}/members/{member}");
            Assert.Equal(HttpStatusCode.OK, reached.StatusCode);
        }

        using var notReached = await marketing.GetAsync($"api/v1/campaigns/{id}/members/{inWest}");
        Assert.Equal(HttpStatusCode.NotFound, notReached.StatusCode);
    }

    [Fact]
    public async Task RegionsAreBoundedInCodePointsAndABadOneIsAProblemNamingItsEntry()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var emoji64 = string.Concat(Enumerable.Repeat("\U0001F600", 64)); // 128 UTF-16 units, 64 code points

        using var accepted = await CreateAsync(marketing, "rg-ok-" + suffix, ["华东", "a/b", "a_b", emoji64, new string('华', 64)]);
        using var tooLong = await CreateAsync(marketing, "rg-long-" + suffix, ["华东", new string('华', 65)]);
        using var blank = await CreateAsync(marketing, "rg-blank-" + suffix, [" "]);

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var errors = (await tooLong.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["audience.regions[1]"], errors.Select(e => e.Key));
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.NotNull((await blank.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["audience.regions[0]"]);
    }

    private Task<HttpResponseMessage> CreateAsync(HttpClient marketing, string id, string[] regions) => marketing.PostAsJsonAsync("api/v1/campaigns", new
    {
        id,
        name = "Region " + id,
        kind = "broadcast",
        audience = new { regions },
        channel = "push",
        offer = new { kind = "coupon", code = "HD5", unitCost = 5m },
        validFrom = host.Clock.GetUtcNow().AddHours(-1),
        validUntil = host.Clock.GetUtcNow().AddDays(1),
        controlShare = 0,
    }, Json);

    private async Task PostEventsAsync(IEnumerable<object> events)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", events.ToArray(), Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
