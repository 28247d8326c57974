using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// Programme health when the configured zones are on different days (CONTRACT.md §5: each region's day is its local
/// day): Shanghai (the programme's zone), Auckland ahead of it and Los Angeles behind it.
/// </summary>
[Collection(ZonesHostCollection.Name)]
public sealed class ProgrammeZonesApiTests(ZonesHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task TheProgrammesMemberCountOnADayLeavesOutMembersWhoJoinedLaterInAZoneAhead()
    {
        // 2026-12-01 20:30 in Shanghai: three members joined there today; two joined in Auckland, where it is already
        // 2026-12-02 01:30. The live gauge has all five, but the programme had three by the end of 2026-12-01.
        host.Zones.Now = ZonesHostFixture.AucklandAhead;
        var day = new DateOnly(2026, 12, 1);
        await JoinAsync("east", day, "zm-e1", "zm-e2", "zm-e3");
        await JoinAsync("nz", day.AddDays(1), "zm-n1", "zm-n2");
        using var support = host.Client(ApiHostFixture.SupportKey);

        var programme = await support.GetFromJsonAsync<JsonObject>("api/v1/programme/health?from=2026-11-30&to=2026-12-01", Json);
        var nz = await support.GetFromJsonAsync<JsonObject>("api/v1/programme/health?regionId=nz&from=2026-12-01&to=2026-12-02", Json);

        Assert.Equal([0L, 3L], programme!["days"]!.AsArray().Select(d => d!["members"]!.GetValue<long>()));
        Assert.Equal(3, programme["summary"]!["members"]!.GetValue<long>());
        Assert.Equal([0L, 2L], nz!["days"]!.AsArray().Select(d => d!["members"]!.GetValue<long>()));
    }

    [Fact]
    public async Task MembersNowIsTheLiveCountWhileTheSummaryLeavesOutAnAucklandJoinOnItsNewDay()
    {
        // 2026-12-01 20:00 in Shanghai, already 2026-12-02 01:00 in Auckland. The default range ends on Shanghai's today
        // (2026-12-01); a member joins in Auckland (region akl) on its new day. It counts now, so the console's "Members
        // now" tile (membersNow) grows by one, but not by the end of 2026-12-01 (summary.members, worked back). The
        // fixture is shared, so the counts are taken before and after the join.
        host.Zones.Now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        using var support = host.Client(ApiHostFixture.SupportKey);
        var before = await support.GetFromJsonAsync<JsonObject>("api/v1/programme/health", Json);

        await JoinAsync("akl", new DateOnly(2026, 12, 2), "mn-a1");
        var after = await support.GetFromJsonAsync<JsonObject>("api/v1/programme/health", Json);
        var live = (await support.GetFromJsonAsync<JsonObject>("api/v1/segments", Json))!["total"]!["members"]!.GetValue<long>();

        Assert.Equal("2026-12-01", after!["to"]!.GetValue<string>());
        Assert.Equal(live, after["membersNow"]!.GetValue<long>());
        Assert.Equal(1, after["membersNow"]!.GetValue<long>() - before!["membersNow"]!.GetValue<long>());
        Assert.Equal(before["summary"]!["members"]!.GetValue<long>(), after["summary"]!["members"]!.GetValue<long>());
    }

    [Theory]
    // Auckland is on 2026-12-02, Shanghai and Los Angeles on 2026-12-01: the programme's figures run to Auckland's
    // day, and a range ends by default on the programme's zone's (Shanghai's) today.
    [InlineData("2026-12-01T12:30:00Z", "", HttpStatusCode.OK, "2026-12-01")]
    [InlineData("2026-12-01T12:30:00Z", "to=2026-12-02", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-01T12:30:00Z", "to=2026-12-03", HttpStatusCode.BadRequest, null)]
    [InlineData("2026-12-01T12:30:00Z", "regionId=nz", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-01T12:30:00Z", "regionId=east&to=2026-12-02", HttpStatusCode.BadRequest, null)]
    // 10:00 in Shanghai on 2026-12-02, Los Angeles still on 2026-12-01 (18:00): the default range still ends on
    // Shanghai's today, as the operations page counts it (not on the day every zone has reached); an earlier end is asked for.
    [InlineData("2026-12-02T02:00:00Z", "", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-02T02:00:00Z", "to=2026-12-01", HttpStatusCode.OK, "2026-12-01")]
    [InlineData("2026-12-02T02:00:00Z", "to=2026-12-02", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-02T02:00:00Z", "regionId=east", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-02T02:00:00Z", "regionId=west&to=2026-12-02", HttpStatusCode.BadRequest, null)]
    // Every zone on 2026-12-02 (00:30 in Los Angeles, 16:30 in Shanghai, 21:30 in Auckland): one day for all.
    [InlineData("2026-12-02T08:30:00Z", "", HttpStatusCode.OK, "2026-12-02")]
    [InlineData("2026-12-02T08:30:00Z", "to=2026-12-03", HttpStatusCode.BadRequest, null)]
    [InlineData("2026-12-02T08:30:00Z", "regionId=west", HttpStatusCode.OK, "2026-12-02")]
    public async Task ARangeEndsByDefaultOnTheProgrammeZonesTodayAndAtTheLatestOnTheLatestLocalDay(string at, string query, HttpStatusCode status, string? to)
    {
        host.Zones.Now = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync("api/v1/programme/health?" + query);

        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        if (to is null)
        {
            Assert.True(body!["errors"]!.AsObject().ContainsKey("to"), body.ToJsonString());
        }
        else
        {
            Assert.Equal(to, body!["to"]!.GetValue<string>());
        }
    }

    private async Task JoinAsync(string region, DateOnly day, params string[] members)
    {
        var contributions = members.SelectMany(member => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = member,
            EffectId = "join",
            Day = day,
            EventType = "register",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, new MetricsOptions()).Contributions);
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync([.. contributions]);
    }
}
