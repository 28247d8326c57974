using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// A real refusal over HTTP: the alert book of a host of its own filled to its capacity by <c>data.anomaly</c> reports
/// (through the host's <see cref="IDataAnomalyReporter"/>, as a failed backup reports), then an evaluation whose breached
/// complaint rate it has no room for. <c>GET /api/v1/alerts</c> says how many alerts are not raised
/// (<c>X-Alerts-Refused</c>, JSON and CSV) and <c>GET /api/v1/alerts/refused</c> which: the evaluation's rules and regions,
/// then the sources of the refused anomalies.
/// </summary>
[Collection(AlertsRefusedHostCollection.Name)]
public sealed class AlertsRefusedApiTests(AlertsRefusedHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AFullBookRefusesAnEvaluationsRaisesAndAnAnomalyAndTheApiSaysWhichWithTheirCountInTheHeader()
    {
        var reporter = host.Services.GetRequiredService<IDataAnomalyReporter>();
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);

        // Anomalies with the longest text the grain keeps (500 Chinese characters, 3,000 bytes stored) until one is refused,
        // then short ones until one of them is refused too: the book is full to the last few bytes.
        var longRefused = await FillAsync(reporter, alerts, "fill-", new string('库', 500));
        var shortRefused = await FillAsync(reporter, alerts, "tiny-", "x");
        var filled = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((2L, 2), (filled.Total, filled.LastCount));
        Assert.Equal(AlertsRefusedHostFixture.Now, filled.Since);

        // One region whose complaint rate (1 complaint, 1 active member) breaches: neither it nor the programme's is raised.
        await FeedComplaintsAsync("rf-east");
        using var evaluated = await admin.PostAsync("api/v1/alerts/evaluate", null);
        Assert.Equal(HttpStatusCode.OK, evaluated.StatusCode);
        Assert.DoesNotContain((await evaluated.Content.ReadFromJsonAsync<JsonArray>(Json))!, a => a!["rule"]!.GetValue<string>() == AlertRules.ComplaintsHigh);

        using var json = await support.GetAsync("api/v1/alerts?state=open&limit=1000");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("4", Assert.Single(json.Headers.GetValues("X-Alerts-Refused")));
        var open = (await json.Content.ReadFromJsonAsync<JsonArray>(Json))!;
        Assert.All(open, a => Assert.Equal(AlertRules.DataAnomaly, a!["rule"]!.GetValue<string>()));
        Assert.DoesNotContain(open, a => a!["regionId"]!.GetValue<string>() is var r && (r == longRefused || r == shortRefused));
        using var csv = await support.GetAsync("api/v1/alerts?format=csv");
        Assert.Equal("4", Assert.Single(csv.Headers.GetValues("X-Alerts-Refused")));

        using var refused = await support.GetAsync("api/v1/alerts/refused");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var body = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.True(body["refused"]!.GetValue<bool>());
        Assert.Equal(4, body["total"]!.GetValue<long>());
        Assert.Equal(4, body["lastCount"]!.GetValue<int>());
        Assert.Equal("2026-11-23T04:00:00+00:00", body["since"]!.GetValue<string>());
        Assert.Equal("2026-11-23T04:00:00+00:00", body["lastAt"]!.GetValue<string>());
        Assert.Equal(
            [
                (AlertRules.ComplaintsHigh, AlertRules.AllRegions),
                (AlertRules.ComplaintsHigh, "rf-east"),
                (AlertRules.DataAnomaly, longRefused),
                (AlertRules.DataAnomaly, shortRefused),
            ],
            body["alerts"]!.AsArray().Select(a => (a!["rule"]!.GetValue<string>(), a["regionId"]!.GetValue<string>())));
    }

    /// <summary>Raises anomalies <paramref name="prefix"/>0, 1 … with <paramref name="message"/> until the book refuses one; its source.</summary>
    private static async Task<string> FillAsync(IDataAnomalyReporter reporter, IAlertsGrain alerts, string prefix, string message)
    {
        for (var i = 0; i < 400; i++)
        {
            var source = prefix + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            await reporter.RaiseAsync(source, message);
            if ((await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, source, 1)).Count == 0)
            {
                return source;
            }
        }

        throw new InvalidOperationException("the alert book took 400 anomalies of " + prefix);
    }

    /// <summary>One member active and one complaint in <paramref name="region"/> on the host's yesterday (2026-11-22 in Shanghai).</summary>
    private async Task FeedComplaintsAsync(string region)
    {
        var options = new MetricsOptions();
        var day = new DateOnly(2026, 11, 22);
        var contributions = new List<MetricContribution>();
        foreach (var (member, type) in new[] { ("login", "login"), ("angry", "complaint") })
        {
            contributions.AddRange(MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
            {
                MemberId = member + "-" + region,
                EffectId = type + "-" + region,
                Day = day,
                EventType = type,
                Joined = true,
                After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
            }, options).Contributions);
        }

        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
    }
}

/// <summary>
/// The API host whose alert book the refusal test fills: its own storage (so no other test's book is full), a complaint
/// rate judged from 1 active member-day, its engine clock standing at <see cref="Now"/>.
/// </summary>
public sealed class AlertsRefusedHostFixture : ApiHostFixture
{
    /// <summary>2026-11-23 12:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    public AlertsRefusedHostFixture()
        : base(new Dictionary<string, string> { ["Engagement:Alerts:ComplaintMinActive"] = "1" }, new SetClock(Now))
    {
    }
}

// Alone, after the parallel collections, as the zones host: one more host beside the others on a 2-core machine.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlertsRefusedHostCollection : ICollectionFixture<AlertsRefusedHostFixture>
{
    public const string Name = "api host, alert book full";
}
