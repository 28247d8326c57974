using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests.Programme;

/// <summary>CONTRACT.md §5 over HTTP: health, points, funnel, segments, alerts, their CSV, roles and bad input.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class ProgrammeApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The host's engine clock starts at 2026-11-23 12:00 in Shanghai.</summary>
    private static readonly DateOnly Today = new(2026, 11, 23);

    private readonly string _region = "api" + Guid.NewGuid().ToString("N")[..8];

    private async Task FeedAsync()
    {
        var options = new MetricsOptions();
        var contributions = new List<MetricContribution>();
        void Add(string member, string effect, string type, DateOnly day, bool joined, decimal revenue = 0, long issued = 0, long redeemed = 0)
        {
            var transition = new MemberTransition
            {
                MemberId = member + _region,
                EffectId = effect,
                Day = day,
                EventType = type,
                Joined = joined,
                FirstPurchase = type == "purchase" && joined,
                Revenue = revenue,
                PointsIssued = issued,
                PointsRedeemed = redeemed,
                After = new MemberSegments { RegionId = _region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "active", PointsBalance = issued - redeemed },
            };
            contributions.AddRange(MemberMetrics.Derive(MemberMetricState.Empty, transition, options).Contributions);
        }

        Add("a", "e1", "login", Today.AddDays(-1), joined: true);
        Add("b", "e2", "purchase", Today, joined: true, revenue: 300.50m, issued: 600);
        Add("c", "e3", "purchase", Today, joined: true, revenue: 99.50m, issued: 200, redeemed: 0);
        Add("d", "e4", "browse", Today, joined: true);
        var sink = host.Services.GetRequiredService<IProgrammeMetricsSink>();
        await sink.ApplyAsync(contributions);
        await sink.ApplyAsync(contributions);
    }

    [Fact]
    public async Task ARegionIdAsAnEventSendsItReadsTheRegionTheEventCountsUnder()
    {
        await FeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);
        // What a producer may send and events accept: "API.3f2a…:1" counts under "api3f2a…1" (MetricsOptions.RegionOf).
        var raw = Uri.EscapeDataString($" {_region[..3].ToUpperInvariant()}.{_region[3..]} ");

        var asSent = await support.GetFromJsonAsync<JsonObject>($"api/v1/programme/health?regionId={raw}&from=2026-11-22&to=2026-11-23", Json);
        var counted = await support.GetFromJsonAsync<JsonObject>($"api/v1/programme/health?regionId={_region}&from=2026-11-22&to=2026-11-23", Json);

        Assert.Equal(4, asSent!["days"]![1]!["members"]!.GetValue<long>());
        Assert.Equal(counted!.ToJsonString(), asSent.ToJsonString());
    }

    [Fact]
    public async Task HealthGivesEachDayAndTheRangeFromTheAggregators()
    {
        await FeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);

        var health = await support.GetFromJsonAsync<JsonObject>($"api/v1/programme/health?regionId={_region}&from=2026-11-22&to=2026-11-23", Json);

        var days = health!["days"]!.AsArray();
        Assert.Equal(2, days.Count);
        var today = days[1]!;
        Assert.Equal("2026-11-23", today["day"]!.GetValue<string>());
        Assert.Equal(4, today["members"]!.GetValue<long>());
        Assert.Equal(1, days[0]!["members"]!.GetValue<long>());
        Assert.Equal(3, today["dau"]!.GetValue<long>());
        Assert.Equal(4, today["wau"]!.GetValue<long>());
        Assert.Equal(400.00m, today["revenue"]!.GetValue<decimal>());
        Assert.Equal(200.00m, today["arpu"]!.GetValue<decimal>());
        Assert.Equal(1.0, today["activeShare"]!.GetValue<double>());
        Assert.Equal(1, today["funnel"]!["browse"]!.GetValue<long>());
        Assert.Equal(2, today["funnel"]!["purchase"]!.GetValue<long>());
        Assert.Equal(4, health["summary"]!["newMembers"]!.GetValue<long>());
    }

    [Fact]
    public async Task HealthOfAMonthLongAgoIsAnsweredNotAServerError()
    {
        await FeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);

        // Today is 2026-11-23: a month of early 2025 lies more than 600 days back, a range of 31 days all the same.
        using var response = await support.GetAsync($"api/v1/programme/health?regionId={_region}&from=2025-01-01&to=2025-01-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        var days = health!["days"]!.AsArray();
        Assert.Equal(31, days.Count);
        // The four members joined on 2026-11-22 and 23, after the range: none of them counts in it.
        Assert.All(days, d => Assert.Equal(0, d!["members"]!.GetValue<long>()));
        Assert.Equal(0, health["summary"]!["members"]!.GetValue<long>());
    }

    [Fact]
    public async Task PointsFunnelAndSegmentsReadTheSameContributions()
    {
        await FeedAsync();
        using var marketing = host.Client(ApiHostFixture.MarketingKey);

        var points = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/programme/points?regionId={_region}&from=2026-11-23&to=2026-11-23", Json);
        var funnel = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/programme/funnel?regionId={_region}&from=2026-11-22", Json);
        var segments = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/segments?regionId={_region}", Json);

        var economy = points!["economy"]!;
        Assert.Equal(800, economy["total"]!["issued"]!.GetValue<long>());
        Assert.Equal(800, economy["outstanding"]!.GetValue<long>());
        Assert.Equal(8.00m, economy["liabilityCny"]!.GetValue<decimal>());
        Assert.Equal(0.0, economy["redemptionRate90d"]!.GetValue<double>());
        Assert.False(economy["inBand"]!.GetValue<bool>());
        Assert.Equal(1, funnel!["total"]!["login"]!.GetValue<long>());
        Assert.Equal(2, funnel["total"]!["purchase"]!.GetValue<long>());
        var counts = segments!["regions"]![_region]!;
        Assert.Equal(4, counts["members"]!.GetValue<long>());
        Assert.Equal(4, counts["tiers"]!["V1"]!.GetValue<long>());
        Assert.Equal(4, counts["lifecycleStages"]!["active"]!.GetValue<long>());
    }

    [Fact]
    public async Task TheLiabilityIsValuedAtThePointValueInForceNotTheConfiguredOne()
    {
        await FeedAsync();
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using (var raised = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0110m, reason = "Q1 promotion" }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        }

        try
        {
            var points = await admin.GetFromJsonAsync<JsonObject>($"api/v1/programme/points?regionId={_region}&from=2026-11-23&to=2026-11-23", Json);

            // 800 points outstanding at 0.0110 CNY each (CONTRACT.md §5: liability at the current point value).
            var economy = points!["economy"]!;
            Assert.Equal(800, economy["outstanding"]!.GetValue<long>());
            Assert.Equal(0.0110m, economy["pointValue"]!.GetValue<decimal>());
            Assert.Equal(8.80m, economy["liabilityCny"]!.GetValue<decimal>());
        }
        finally
        {
            // Back to the anchor so the other tests of this host see the default value.
            using var back = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0100m, reason = "end of the test quarter" }, Json);
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }
    }

    [Fact]
    public async Task PointsShowCouponsIssuedAndRedeemedPerOfferOverTheRange()
    {
        var options = new MetricsOptions();
        MetricContribution[] Coupons(string member, DateOnly day, string offer, int issued, int redeemed) =>
        [
            .. MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
            {
                MemberId = member + _region,
                EffectId = "c-" + member,
                Day = day,
                CouponsIssuedByOffer = new Dictionary<string, int> { [offer] = issued },
                CouponsRedeemedByOffer = new Dictionary<string, int> { [offer] = redeemed },
                After = new MemberSegments { RegionId = _region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "active" },
            }, options).Contributions,
        ];
        var sink = host.Services.GetRequiredService<IProgrammeMetricsSink>();
        await sink.ApplyAsync([.. Coupons("a", Today, "OF-618", 3, 1), .. Coupons("b", Today, "OF-11", 1, 0), .. Coupons("c", Today.AddDays(-1), "OF-618", 5, 5)]);
        using var marketing = host.Client(ApiHostFixture.MarketingKey);

        var points = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/programme/points?regionId={_region}&from=2026-11-23&to=2026-11-23", Json);

        var offers = points!["economy"]!["offers"]!.AsArray();
        Assert.Equal(["OF-11", "OF-618"], offers.Select(o => o!["offerId"]!.GetValue<string>()));
        Assert.Equal((1, 0, 0.0), (offers[0]!["issued"]!.GetValue<long>(), offers[0]!["redeemed"]!.GetValue<long>(), offers[0]!["redemptionRate"]!.GetValue<double>()));
        Assert.Equal((3, 1, 0.3333), (offers[1]!["issued"]!.GetValue<long>(), offers[1]!["redeemed"]!.GetValue<long>(), offers[1]!["redemptionRate"]!.GetValue<double>()));
    }

    [Fact]
    public async Task PointsNameBreakageWithItsExpiredPointsAndTheNinetyDaysItIsOver()
    {
        // In the 90 days ending 2026-11-23 (2026-08-26 … 11-23): 800 issued, 300 expired (a lot issued before the
        // window). Outside it, on 2026-08-15 and 08-20: 1,000 issued, 50 expired, which the breakage must not count.
        var options = new MetricsOptions();
        MetricContribution[] Points(string member, DateOnly day, long issued, DateOnly? expiredOn = null, long expired = 0) =>
        [
            .. MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
            {
                MemberId = member + _region,
                EffectId = $"p-{member}-{day:yyyyMMdd}",
                Day = day,
                PointsIssued = issued,
                PointsExpired = expiredOn is { } on ? new Dictionary<DateOnly, long> { [on] = expired } : null,
                After = new MemberSegments { RegionId = _region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "active" },
            }, options).Contributions,
        ];
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(
        [
            .. Points("x", Today.AddDays(-100), 1_000),
            .. Points("y", Today.AddDays(-95), 0, Today.AddDays(-95), 50),
            .. Points("z", Today.AddDays(-10), 800),
            .. Points("w", Today.AddDays(-5), 0, Today.AddDays(-5), 300),
        ]);
        using var support = host.Client(ApiHostFixture.SupportKey);

        // A one-day range: breakage is still over the 90 days ending `to`, and says which.
        var economy = (await support.GetFromJsonAsync<JsonObject>($"api/v1/programme/points?regionId={_region}&from=2026-11-23&to=2026-11-23", Json))!["economy"]!;
        Assert.Equal(800, economy["issued90d"]!.GetValue<long>());
        Assert.Equal(300, economy["expired90d"]!.GetValue<long>());
        Assert.Equal(0.375, economy["breakageRate90d"]!.GetValue<double>());
        Assert.Equal("2026-08-26", economy["rateWindowFrom"]!.GetValue<string>());
        Assert.Equal("2026-11-23", economy["rateWindowTo"]!.GetValue<string>());
        Assert.Equal(0, economy["total"]!["expired"]!.GetValue<long>()); // the range's own day expired nothing

        // Ending 2026-11-18, the window (2026-08-21 … 11-18) holds the 300 expired on 11-18 and the 800 issued on 11-13.
        var earlier = (await support.GetFromJsonAsync<JsonObject>($"api/v1/programme/points?regionId={_region}&to=2026-11-18", Json))!["economy"]!;
        Assert.Equal(("2026-08-21", 0.375), (earlier["rateWindowFrom"]!.GetValue<string>(), earlier["breakageRate90d"]!.GetValue<double>()));

        // Bad parameters are problem details naming the field, never a 500.
        using var bad = await support.GetAsync($"api/v1/programme/points?regionId={_region}&to=2026-13-01&format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("to") && errors.ContainsKey("format"), errors.ToJsonString());
    }

    [Fact]
    public async Task EachViewExportsAsCsv()
    {
        await FeedAsync();
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var health = await admin.GetAsync($"api/v1/programme/health?regionId={_region}&from=2026-11-23&format=csv");
        var text = await health.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("text/csv", health.Content.Headers.ContentType!.MediaType);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        // Each row names the region asked (all for the whole programme), so two regions' exports can be put together; it
        // is the last column, so the columns before it stay where a reader taking them by position expects them.
        Assert.StartsWith("day,members,newMembers,dau,wau,mau,activeShare", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",funnelPurchase,regionId", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2026-11-23,4,3,3,4,4,1,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($",{_region}", lines[1], StringComparison.Ordinal);
        var points = await CsvLinesAsync(admin, $"api/v1/programme/points?regionId={_region}&from=2026-11-23&format=csv");
        Assert.Equal("day,issued,redeemed,expired,reversed,adjusted,regionId", points[0]);
        Assert.Matches($"^2026-11-23,-?\\d+,-?\\d+,-?\\d+,-?\\d+,-?\\d+,{_region}$", points[1]);
        var funnel = await CsvLinesAsync(admin, $"api/v1/programme/funnel?regionId={_region}&from=2026-11-23&format=csv");
        Assert.Equal("day,login,browse,addToCart,purchase,regionId", funnel[0]);
        Assert.Matches($"^2026-11-23,\\d+,\\d+,\\d+,\\d+,{_region}$", funnel[1]);
        foreach (var path in new[] { "points", "health", "funnel" })
        {
            var all = (await CsvLinesAsync(admin, $"api/v1/programme/{path}?from=2026-11-23&format=csv"))[1];
            Assert.StartsWith("2026-11-23,", all, StringComparison.Ordinal);
            Assert.EndsWith(",all", all, StringComparison.Ordinal);
        }

        // Segments: members counted under members, points held and owed under points (they were under members).
        var gauges = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/segments?regionId={_region}", Json))!["regions"]![_region]!;
        var segments = await CsvLinesAsync(admin, $"api/v1/segments?regionId={_region}&format=csv");
        Assert.Equal("regionId,dimension,value,members,points", segments[0]);
        Assert.Contains($"{_region},members,,{gauges["members"]!.GetValue<long>()},", segments);
        Assert.Contains($"{_region},pointsOutstanding,,,{gauges["pointsOutstanding"]!.GetValue<long>()}", segments);
        Assert.Contains($"{_region},pointsDebt,,,{gauges["pointsDebt"]!.GetValue<long>()}", segments);
        foreach (var path in new[] { "programme/points", "programme/funnel", "segments", "alerts" })
        {
            using var csv = await admin.GetAsync($"api/v1/{path}?format=csv" + (path.StartsWith("programme", StringComparison.Ordinal) ? $"&regionId={_region}" : ""));
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        }
    }

    private static async Task<string[]> CsvLinesAsync(HttpClient client, string path)
    {
        using var answer = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    [Theory]
    [InlineData("programme/health?from=2026-13-01", "from")]
    [InlineData("programme/health?to=2026-11-24", "to")]
    [InlineData("programme/points?from=2026-11-23&to=2026-11-01", "from")]
    [InlineData("programme/funnel?from=2025-01-01&to=2026-11-23", "from")]
    [InlineData("programme/health?to=0001-01-05", "to")]
    [InlineData("programme/points?from=0001-01-01&to=0001-01-02", "from")]
    [InlineData("programme/funnel?from=0001-01-20&to=0001-02-10", "from")]
    [InlineData("programme/health?regionId=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "regionId")]
    [InlineData("programme/health?regionId=%20", "regionId")]
    [InlineData("programme/health?regionId=ALL", "regionId")]
    [InlineData("programme/health?format=xml", "format")]
    [InlineData("segments?format=pdf", "format")]
    [InlineData("alerts?state=closed", "state")]
    [InlineData("alerts?limit=0", "limit")]
    [InlineData("alerts?limit=1001", "limit")]
    [InlineData("alerts?state=all", "state")]
    public async Task BadInputIsAProblemNamingTheField(string path, string field)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync("api/v1/" + path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Theory]
    [InlineData("programme/points?from=9999-12-31")]
    [InlineData("programme/health?from=9999-12-31")]
    [InlineData("programme/funnel?from=2026-12-25")]
    [InlineData("programme/points?from=2026-12-25&to=2026-11-20")]
    [InlineData("reports/winback?from=9999-12-31")]
    public async Task AFromAfterTodayIsToldItIsAfterTodayNotAfterAToNeverSent(string path)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync("api/v1/" + path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["from"], errors.Select(e => e.Key));
        Assert.StartsWith("must not be after today (2026-11-2", errors["from"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsSayHowManyRaisesTheBookRefusedBesideTheContractsArrayAndWhichAtAlertsRefused()
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var anonymous = host.Client(null);
        var expected = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<Engagement.Contracts.Programme.IAlertsGrain>(0).GetRaisesRefusedAsync();

        // The body keeps CONTRACT.md §5's array; the count of refused raises comes as a header, JSON and CSV alike.
        using var json = await support.GetAsync("api/v1/alerts?state=open");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.NotNull(await json.Content.ReadFromJsonAsync<JsonArray>(Json));
        Assert.Equal(expected.LastCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(json.Headers.GetValues("X-Alerts-Refused")));
        using var csv = await support.GetAsync("api/v1/alerts?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Single(csv.Headers.GetValues("X-Alerts-Refused"));

        // Which and since when: every field present, camelCase, times UTC.
        using var refused = await support.GetAsync("api/v1/alerts/refused");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var body = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(["alerts", "lastAt", "lastCount", "refused", "since", "total"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Refused, body["refused"]!.GetValue<bool>());
        Assert.Equal(expected.Total, body["total"]!.GetValue<long>());
        Assert.Equal(expected.LastCount, body["lastCount"]!.GetValue<int>());
        Assert.Equal(expected.Alerts.Count, body["alerts"]!.AsArray().Count);
        if (!expected.Refused)
        {
            Assert.Null(body["since"]);
            Assert.Null(body["lastAt"]);
        }

        using var noKey = await anonymous.GetAsync("api/v1/alerts/refused");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task EveryRoleReadsOnlyAdminEvaluatesAndNoKeyReadsNothing()
    {
        using var anonymous = host.Client(null);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var noKey = await anonymous.GetAsync("api/v1/segments");
        using var read = await support.GetAsync("api/v1/alerts?state=open");
        using var forbidden = await support.PostAsync("api/v1/alerts/evaluate", null);
        using var evaluated = await admin.PostAsync("api/v1/alerts/evaluate", null);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, evaluated.StatusCode);
        Assert.NotNull(await evaluated.Content.ReadFromJsonAsync<JsonArray>(Json));
    }
}
