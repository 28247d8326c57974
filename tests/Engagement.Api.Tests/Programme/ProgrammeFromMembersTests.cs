using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// CONTRACT.md §5 end to end: events posted to the API go through the member, whose outbox feeds the aggregators;
/// health, points, funnel and segments then show exact counts (a late event in its own day, a repeat once, gauges
/// moving by one on a tier move).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class ProgrammeFromMembersTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private readonly string _region = "mf" + Guid.NewGuid().ToString("N")[..8];

    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    private int _events;

    /// <summary>The host's local day (Shanghai) of its engine clock; the fixture starts at 12:00, so a test never crosses midnight.</summary>
    private DateOnly Today => DateOnly.FromDateTime(host.Clock.GetUtcNow().ToOffset(Shanghai).DateTime);

    [Fact]
    public async Task EventsThroughTheMemberShowInHealthPointsFunnelAndSegments()
    {
        var (a, b, c) = (Member("a"), Member("b"), Member("c"));
        var today = Today;
        var yesterday = today.AddDays(-1);

        // a joins yesterday, buys once yesterday and again today (first purchase, repurchase within 7 days, next-day retention).
        await PostAsync(Event(a, "register", yesterday, 10));
        await PostAsync(Event(a, "login", yesterday, 10));
        await PostAsync(Event(a, "purchase", yesterday, 11, order: "A1", amount: 100m));
        var aLoginToday = Event(a, "login", today, 9);
        await PostAsync(aLoginToday);
        await PostAsync(Event(a, "browse", today, 9));
        await PostAsync(Event(a, "add_to_cart", today, 9));
        await PostAsync(Event(a, "purchase", today, 10, order: "A2", amount: 1200m));

        // b joins today: browses, shares twice, complains (not activity).
        await PostAsync(Event(b, "register", today, 8));
        await PostAsync(Event(b, "browse", today, 8));
        await PostAsync(Event(b, "share", today, 9));
        await PostAsync(Event(b, "share", today, 10));
        await PostAsync(Event(b, "complaint", today, 10));

        // c joins today, buys 50 and gets 20 back.
        await PostAsync(Event(c, "login", today, 8));
        await PostAsync(Event(c, "purchase", today, 9, order: "C1", amount: 50m));
        await PostAsync(Event(c, "refund", today, 10, order: "C1", amount: 20m));

        // A repeat counts once; a late event (b, three days ago) counts in its own day.
        await PostAsync(aLoginToday);
        var threeDaysAgo = today.AddDays(-3);
        await PostAsync(Event(b, "browse", threeDaysAgo, 15));

        var health = await PollAsync(
            $"api/v1/programme/health?regionId={_region}&from={threeDaysAgo:yyyy-MM-dd}&to={today:yyyy-MM-dd}",
            h => h["summary"]!["revenue"]!.GetValue<decimal>() == 1330m && Day(h, today)["complaints"]!.GetValue<long>() == 1
                && Day(h, threeDaysAgo)["dau"]!.GetValue<long>() == 1 && Day(h, today)["funnel"]!["addToCart"]!.GetValue<long>() == 1);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var redeemed = await admin.PostAsJsonAsync($"api/v1/members/{a}/redemptions", new { redemptionId = "R1", points = 30 }, Json);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var todayHealth = Day(health, today);
        var yesterdayHealth = Day(health, yesterday);
        Assert.Equal(1, Day(health, threeDaysAgo)["dau"]!.GetValue<long>());
        Assert.Equal(1, yesterdayHealth["newMembers"]!.GetValue<long>());
        Assert.Equal(1, yesterdayHealth["dau"]!.GetValue<long>());
        // a's cohorts are counted (retained today, bought again today) but not reported before their days are over
        // (today for retention, the 7th day after for repurchase7d; CONTRACT.md §5).
        Assert.Null(yesterdayHealth["nextDayRetention"]);
        Assert.Null(yesterdayHealth["repurchase7d"]);
        Assert.Null(health["summary"]!["nextDayRetention"]);
        Assert.Equal(100m, yesterdayHealth["revenue"]!.GetValue<decimal>());
        Assert.Equal(2, todayHealth["newMembers"]!.GetValue<long>());
        Assert.Equal(3, todayHealth["dau"]!.GetValue<long>());
        Assert.Equal(3, todayHealth["wau"]!.GetValue<long>());
        Assert.Equal(3, todayHealth["members"]!.GetValue<long>());
        Assert.Equal(1230m, todayHealth["revenue"]!.GetValue<decimal>());
        Assert.Equal(2, todayHealth["purchasers"]!.GetValue<long>());
        Assert.Equal(615m, todayHealth["arpu"]!.GetValue<decimal>());
        Assert.Equal(0.3333, todayHealth["shareRate"]!.GetValue<double>());
        Assert.Equal(0.3333, todayHealth["complaintRate"]!.GetValue<double>());
        Assert.Equal(0.5, todayHealth["repurchaseRate30"]!.GetValue<double>());

        var funnel = await GetAsync($"api/v1/programme/funnel?regionId={_region}&from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}");
        Assert.Equal(2, funnel["total"]!["login"]!.GetValue<long>());
        Assert.Equal(2, funnel["total"]!["browse"]!.GetValue<long>());
        Assert.Equal(1, funnel["total"]!["addToCart"]!.GetValue<long>());
        Assert.Equal(2, funnel["total"]!["purchase"]!.GetValue<long>());

        // Points: what the ledger archive says was earned, redeemed and reversed, day by day.
        var ledger = await LedgerAsync(a);
        ledger.AddRange(await LedgerAsync(c));
        var points = await GetAsync($"api/v1/programme/points?regionId={_region}&from={yesterday:yyyy-MM-dd}&to={today:yyyy-MM-dd}");
        var economy = points["economy"]!;
        Assert.Equal(ledger.Where(e => e.Rule.StartsWith("points.earn", StringComparison.Ordinal) && e.Delta > 0).Sum(e => e.Delta), economy["total"]!["issued"]!.GetValue<long>());
        Assert.Equal(30, economy["total"]!["redeemed"]!.GetValue<long>());
        Assert.Equal(-ledger.Where(e => e.Rule == "points.refund").Sum(e => e.Delta), economy["total"]!["reversed"]!.GetValue<long>());
        Assert.True(economy["total"]!["reversed"]!.GetValue<long>() > 0, "the refund reversed points");
        var balances = await BalanceAsync(a) + await BalanceAsync(b) + await BalanceAsync(c);
        Assert.Equal(balances, economy["outstanding"]!.GetValue<long>());

        // Gauges: three members; a's 1,200 CNY took it to V2 (V1 −1, V2 +1).
        var segments = (await GetAsync($"api/v1/segments?regionId={_region}"))["regions"]![_region]!;
        Assert.Equal(3, segments["members"]!.GetValue<long>());
        Assert.Equal(2, segments["tiers"]!["V1"]!.GetValue<long>());
        Assert.Equal(1, segments["tiers"]!["V2"]!.GetValue<long>());
        Assert.Equal(3, segments["lifecycleStages"]!.AsObject().Sum(kv => kv.Value!.GetValue<long>()));
        Assert.Equal(3, segments["valueClasses"]!.AsObject().Sum(kv => kv.Value!.GetValue<long>()));
    }

    [Fact]
    public async Task AMonthToDateSummaryHasArpuAndRepurchaseRateOfItsDistinctPurchasers()
    {
        // This month's first half (the host's today is 2026-11-23), through the members and the real aggregators: a buys on the 3rd and the 10th, b on the
        // 10th, then a late purchase of a's on the 2nd arrives (its count moves to the 2nd, not a second purchaser).
        var (a, b) = (Member("a"), Member("b"));
        var first = new DateOnly(Today.Year, Today.Month, 1);
        Assert.True(Today >= first.AddDays(14), "the range is over by today");
        await PostAsync(Event(a, "purchase", first.AddDays(2), 10, order: "A1", amount: 100m));
        await PostAsync(Event(a, "purchase", first.AddDays(9), 10, order: "A2", amount: 50m));
        await PostAsync(Event(b, "purchase", first.AddDays(9), 11, order: "B1", amount: 200m));
        await PostAsync(Event(a, "purchase", first.AddDays(1), 10, order: "A0", amount: 10m));

        // The sink sends to each day's aggregators in parallel: wait for the state asserted, not for one day of it.
        var health = await PollAsync(
            $"api/v1/programme/health?regionId={_region}&from={first:yyyy-MM-dd}&to={first.AddDays(14):yyyy-MM-dd}",
            h => h["summary"]!["revenue"]!.GetValue<decimal>() == 360m
                && h["summary"]!["distinctPurchasers"]?.GetValue<long>() == 2
                && h["summary"]!["repurchaseRate"]?.GetValue<double>() == 0.5);
        var summary = health["summary"]!;
        Assert.Equal("month", summary["distinctBasis"]!.GetValue<string>());
        Assert.Equal(2, summary["distinctPurchasers"]!.GetValue<long>());
        Assert.Equal(180m, summary["arpu"]!.GetValue<decimal>()); // 360 / 2 members, not / 4 purchaser-days
        Assert.Equal(0.5, summary["repurchaseRate"]!.GetValue<double>());

        // A range that starts on no period's first day says so.
        var middle = await GetAsync($"api/v1/programme/health?regionId={_region}&from={first.AddDays(1):yyyy-MM-dd}&to={first.AddDays(14):yyyy-MM-dd}");
        Assert.Null(middle["summary"]!["distinctBasis"]);
        Assert.Null(middle["summary"]!["arpu"]);
        Assert.Equal("rangeNotCounted", middle["summary"]!["distinctNullReason"]!.GetValue<string>());
        Assert.Null(summary["distinctNullReason"]);
    }

    private static JsonNode Day(JsonObject health, DateOnly day) =>
        health["days"]!.AsArray().Single(d => d!["day"]!.GetValue<string>() == day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))!;

    private string Member(string name) => $"mf-{_run}-{name}";

    private object Event(string memberId, string type, DateOnly day, int hour, string? order = null, decimal? amount = null)
    {
        _events++;
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, 0)), Shanghai).AddSeconds(_events);
        var now = host.Clock.GetUtcNow();
        return new
        {
            eventId = $"{memberId}-{type}-{_events}",
            type,
            memberId,
            occurredAt = at > now ? now.AddSeconds(-60 + _events) : at,
            regionId = _region,
            orderId = order,
            amount,
        };
    }

    private async Task PostAsync(object evt)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<JsonObject> GetAsync(string path)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        return (await support.GetFromJsonAsync<JsonObject>(path, Json))!;
    }

    /// <summary>Reads <paramref name="path"/> until <paramref name="done"/> holds (events are applied asynchronously), at most 60 s.</summary>
    private async Task<JsonObject> PollAsync(string path, Func<JsonObject, bool> done)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var body = await GetAsync(path);
            if (Safe(done, body))
            {
                return body;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "condition not met within 60 s: " + body.ToJsonString());
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            await timer.WaitForNextTickAsync();
        }
    }

    private static bool Safe(Func<JsonObject, bool> done, JsonObject body)
    {
        try
        {
            return done(body);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task<List<(string Rule, long Delta)>> LedgerAsync(string memberId)
    {
        var page = await GetAsync($"api/v1/members/{memberId}/ledger?limit=500");
        return page["entries"]!.AsArray()
            .Where(e => e!["kind"]!.GetValue<string>() == "points")
            .Select(e => (e!["ruleId"]!.GetValue<string>(), e["delta"]!.GetValue<long>()))
            .ToList();
    }

    private async Task<long> BalanceAsync(string memberId) =>
        (await GetAsync($"api/v1/members/{memberId}"))["pointsBalance"]!.GetValue<long>();
}
