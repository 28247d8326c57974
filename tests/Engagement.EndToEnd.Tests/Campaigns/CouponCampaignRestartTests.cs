using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Engagement.EndToEnd.Tests.Backup;
using Engagement.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Campaigns;

/// <summary>
/// A coupon campaign to 10,000 members on the real silo over Azurite (issue 11, "Tests"): SIGKILL in the middle of the
/// fan-out, start again over the same storage; read back from the stored rows, every member holds at most one coupon of
/// the campaign, the budget (below the audience) is never exceeded, and the coupons stored equal the grants the campaign
/// reports, each code in the coupon directory under its member.
/// </summary>
[Trait("Machine", "Alone")] // needs the machine to itself: kills and restarts the silo mid-campaign
[ExpectedSeconds(85)]
public sealed class CouponCampaignRestartTests(ITestOutputHelper output)
{
    private const int MemberCount = 10_000;

    /// <summary>The coupon directory's table (code → member), as the engine names it by default.</summary>
    private const string CouponCodeTable = "EngagementCouponCodes";

    /// <summary>Well below the arm's share of the audience (about 85%: 10% control, 5% global control), so the budget binds; members past it are not called, which keeps the test short.</summary>
    private const long MaxGrants = 3_000;

    [Fact]
    public async Task ACouponFanOutKilledMidwayAndRestartedIssuesOneCouponPerGrantAndNeverPassesTheBudget()
    {
        // An Azurite of its own: 10,000 members' rows would slow every other test sharing one (Azurite keeps its tables
        // in memory and saves them whole), and the dedicated one goes away with its data at the end.
        await using var azurite = await DedicatedAzurite.StartAsync();
        var scope = "q" + Guid.NewGuid().ToString("N")[..10];
        var settings = new SiloSettings(azurite.ConnectionString, "coupons-" + Guid.NewGuid().ToString("N")[..12], ("e2e" + Guid.NewGuid().ToString("N")[..10]).ToLowerInvariant())
        {
            Extra = new Dictionary<string, string>
            {
                ["Engagement__Campaigns__MemberIndexTableName"] = "MIdx" + scope,
                ["Engagement__Campaigns__IndexShardCount"] = "8",
                ["Engagement__Campaigns__FanOutPageSize"] = "50",
                // Bounded so the kill lands mid-fan-out on a fast machine too (the whole fan-out takes at least 25 s).
                ["Engagement__Campaigns__MaxDeliveriesPerSecond"] = "400",
                // 10,000 deliveries log several lines each at Information: the console would cost more than the work.
                ["Serilog__MinimumLevel__Override__Engagement"] = "Warning",
                ["Engagement__Offers__CouponSecret"] = "e2e-only-coupon-secret-" + scope + "-0123456789",
                ["Engagement__Storage__TouchQueueName"] = ("touch-" + scope).ToLowerInvariant(),
            },
        };

        var region = scope + "-east";
        var members = Enumerable.Range(0, MemberCount).Select(i => $"{scope}-{i.ToString("D5", CultureInfo.InvariantCulture)}").ToList();
        var campaignId = scope + "-w20";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            await SeedAsync(silo, members, region, settings);
            output.WriteLine($"{watch.Elapsed.TotalSeconds:F0} s: silo started, {MemberCount} members seeded");
            await CreateAndTriggerAsync(silo, campaignId, region, settings.Clock);

            using (var marketing = silo.CreateClient(SiloProcess.MarketingKey))
            {
                // Killed once between 10% and 80% of the audience is reached (checkpointed), so part of it is not.
                JsonObject progress = new();
                await Poll.UntilAsync(
                    async () => (progress = Progress(await CampaignAsync(marketing, campaignId))).Int64Of("reached") >= MemberCount / 10,
                    TimeSpan.FromSeconds(180),
                    "a tenth of the audience reached",
                    () => Task.FromResult(progress.ToJsonString()));
                Assert.InRange(progress.Int64Of("reached"), MemberCount / 10, MemberCount * 8 / 10);
                output.WriteLine($"{watch.Elapsed.TotalSeconds:F0} s: killed at {progress.Int64Of("reached")} reached");
            }

            await silo.KillAsync();
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(settings);

            using var http = silo.CreateClient(SiloProcess.MarketingKey);
            JsonObject campaign = new();
            await Poll.UntilAsync(
                async () => (campaign = await CampaignAsync(http, campaignId)).Str("status") == "completed",
                TimeSpan.FromSeconds(300),
                "the fan-out completes after the restart",
                () => Task.FromResult(campaign.ToJsonString()));

            output.WriteLine($"{watch.Elapsed.TotalSeconds:F0} s: completed after the restart");
            var p = Progress(campaign);
            Assert.Equal(MemberCount, p.Int64Of("total"));
            Assert.Equal(MemberCount, p.Int64Of("reached"));
            Assert.True(p.Int64Of("budgetSkipped") > 0, "the budget must bind for this test to mean anything");
            var grantsReported = p.Int64Of("sent") + p.Int64Of("deferred");

            var stored = await StoredAsync(settings, scope, campaignId);
            output.WriteLine($"{watch.Elapsed.TotalSeconds:F0} s: stored rows read");

            // Each member holds at most one coupon of the campaign; exactly the members whose arm touch holds a grant do.
            Assert.Equal(MemberCount, stored.Members.Count);
            var twice = stored.Members.Where(m => m.Value.Coupons.Count > 1).Select(m => m.Key).ToList();
            Assert.True(twice.Count == 0, $"{twice.Count} members hold two coupons of the campaign, e.g. {string.Join(", ", twice.Take(3))}");
            var granted = stored.Members.Where(m => m.Value.Outcome is "sent" or "deferred").Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            var holders = stored.Members.Where(m => m.Value.Coupons.Count == 1).Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            Assert.True(holders.SetEquals(granted), $"coupon holders ({holders.Count}) are not the members with a granted touch ({granted.Count})");

            // The budget is never exceeded, and the coupons stored are the grants the campaign reports (none lost to the kill).
            var coupons = holders.Count;
            Assert.True(coupons <= MaxGrants, $"{coupons} coupons issued over a budget of {MaxGrants}");
            Assert.Equal(grantsReported, coupons);
            Assert.Equal(campaign.Int64Of("grantsReserved"), coupons);
            Assert.Equal(MaxGrants, coupons);

            // Every coupon's code is stored once, in the directory under its member (GET /coupons/{code} finds it).
            var codes = stored.Members.SelectMany(m => m.Value.Coupons.Select(c => (Member: m.Key, Code: c))).ToList();
            Assert.Equal(coupons, codes.Select(c => c.Code).Distinct(StringComparer.Ordinal).Count());
            var unregistered = codes.Where(c => stored.Directory.GetValueOrDefault(c.Code) != c.Member).ToList();
            Assert.True(unregistered.Count == 0, $"{unregistered.Count} coupon codes are not in the directory under their member");
        }
        catch
        {
            // What the silo warned about tells a slow machine from a fault.
            output.WriteLine(string.Join('\n', silo.Output.Split('\n').Where(l => l.Contains("WRN", StringComparison.Ordinal) || l.Contains("ERR", StringComparison.Ordinal)).TakeLast(40)));
            throw;
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>
    /// Seeds the audience the cheap way that is still the engine's own: the first member through the API (one purchase in
    /// <paramref name="region"/>), then its stored state row and member-index row copied for every other member under
    /// that member's id (the index shard by FNV-1a, CONTRACT.md §1; 100 index rows per batch transaction). A copy's
    /// outbox is left empty (as if its effects were emitted) and its lifecycle reminder unregistered (registered with
    /// its next event), so activating 10,000 copies costs one row read each. 10,000 events through the API would take
    /// minutes on a loaded machine.
    /// </summary>
    private static async Task SeedAsync(SiloProcess silo, List<string> members, string region, SiloSettings settings)
    {
        var template = members[0];
        var at = settings.Clock.GetUtcNow().AddMinutes(-30);
        using (var admin = silo.CreateClient())
        {
            using var response = await admin.PostEventsAsync(new[]
            {
                new { eventId = template + "-p0", type = "purchase", memberId = template, occurredAt = at, orderId = template + "-o0", amount = 300m, regionId = region },
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var tables = new TableServiceClient(settings.ConnectionString);
        var states = tables.GetTableClient(MemberRows.StateTable);
        var statePartition = settings.ServiceId + "_member_" + template;
        var stateRow = (await states.GetEntityAsync<TableEntity>(statePartition, "member")).Value;
        var stateJson = Json(stateRow)!.AsObject();
        stateJson["member"]!["outbox"] = new JsonArray();
        foreach (var reminder in new[] { "reminderPeriod", "nextReminderAt" })
        {
            stateJson[reminder] = null;
        }

        var stateText = stateJson.ToJsonString();
        Assert.Contains(template, stateText, StringComparison.Ordinal);
        await Parallel.ForEachAsync(members.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
        {
            var row = new TableEntity(settings.ServiceId + "_member_" + id, "member");
            var text = stateText.Replace(template, id, StringComparison.Ordinal);
            for (var (i, offset) = (0, 0); offset < text.Length; (i, offset) = (i + 1, offset + 32_000))
            {
                row["StringData" + (i == 0 ? "" : i.ToString(CultureInfo.InvariantCulture))] = text.Substring(offset, Math.Min(32_000, text.Length - offset));
            }

            await states.AddEntityAsync(row, ct);
        });

        var index = tables.GetTableClient(settings.Extra["Engagement__Campaigns__MemberIndexTableName"]);
        var shards = int.Parse(settings.Extra["Engagement__Campaigns__IndexShardCount"], CultureInfo.InvariantCulture);
        var indexRow = (await index.GetEntityAsync<TableEntity>(Shard(template, shards), template)).Value;
        var batches = members.Skip(1).GroupBy(id => Shard(id, shards)).SelectMany(g => g.Chunk(100)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, ct) =>
        {
            var actions = chunk.Select(id =>
            {
                var row = new TableEntity(Shard(id, shards), id);
                foreach (var (name, value) in indexRow.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
                {
                    row[name] = value;
                }

                return new TableTransactionAction(TableTransactionActionType.Add, row);
            }).ToList();
            await index.SubmitTransactionAsync(actions, ct);
        });
    }

    /// <summary>The member-index shard of a member: FNV-1a 32 of its UTF-8 id, mod the shard count, as three digits.</summary>
    private static string Shard(string memberId, int shards)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(memberId))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (hash % (uint)shards).ToString("D3", CultureInfo.InvariantCulture);
    }

    private static async Task CreateAndTriggerAsync(SiloProcess silo, string campaignId, string region, TimeProvider clock)
    {
        using var marketing = silo.CreateClient(SiloProcess.MarketingKey);
        var now = clock.GetUtcNow();
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id = campaignId,
            name = "Spend 200, get 20 off",
            kind = "broadcast",
            audience = new { regions = new[] { region } },
            offer = new { kind = "coupon", code = "W20", unitCost = 20m, coupon = new { kind = "threshold", value = 20m, minSpend = 200m, validDays = 7 } },
            channel = "push",
            validFrom = now.AddHours(-1),
            validUntil = now.AddDays(2),
            controlShare = 0.1,
            budget = new { maxGrants = MaxGrants },
        }, Api.Json);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using var triggered = await marketing.PostAsync($"api/v1/campaigns/{campaignId}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
    }

    private static async Task<JsonObject> CampaignAsync(HttpClient http, string campaignId) =>
        (await http.GetFromJsonAsync<JsonNode>($"api/v1/campaigns/{campaignId}", Api.Json))!.AsObject();

    private static JsonObject Progress(JsonObject campaign) => campaign["progress"]!.AsObject();

    /// <summary>What one member stored of the campaign: its membership outcome (null: none) and its coupon codes of it.</summary>
    private sealed record StoredMember(string? Outcome, List<string> Coupons);

    private sealed record Stored(Dictionary<string, StoredMember> Members, Dictionary<string, string> Directory);

    /// <summary>
    /// The silo's own rows, read as an auditor would (the official table provider's JSON, camelCase): each member's
    /// membership of the campaign and its coupons of it, and the coupon directory (code → member).
    /// </summary>
    private static async Task<Stored> StoredAsync(SiloSettings settings, string scope, string campaignId)
    {
        var tables = new TableServiceClient(settings.ConnectionString);
        var table = tables.GetTableClient(MemberRows.StateTable);
        var members = new Dictionary<string, StoredMember>(StringComparer.Ordinal);
        var directory = new Dictionary<string, string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {settings.ServiceId + "_member_"} and PartitionKey lt {settings.ServiceId + "_member`"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1_000))
        {
            if (Json(row) is not JsonObject root)
            {
                continue;
            }

            if (root["member"] is JsonObject member && member["memberId"]?.GetValue<string>() is { } memberId && memberId.StartsWith(scope, StringComparison.Ordinal))
            {
                var outcome = member["campaigns"]?["memberships"]?.AsArray()
                    .FirstOrDefault(m => m!["campaignId"]?.GetValue<string>() == campaignId)?["outcome"]?.GetValue<string>();
                var coupons = (member["offers"]?["coupons"]?["coupons"]?.AsArray() ?? [])
                    .Where(c => c!["offerId"]?.GetValue<string>() == campaignId || c!["grantId"]?.GetValue<string>() == "campaign:" + campaignId)
                    .Select(c => c!["code"]!.GetValue<string>())
                    .ToList();
                members[memberId] = new StoredMember(outcome, coupons);
            }
        }

        // The coupon directory: one row per code (partition: its first two characters), the holder in MemberId.
        await foreach (var row in tables.GetTableClient(CouponCodeTable).QueryAsync<TableEntity>(maxPerPage: 1_000))
        {
            if (row.GetString("MemberId") is { } holder && holder.StartsWith(scope, StringComparison.Ordinal))
            {
                Assert.True(directory.TryAdd(row.RowKey, holder), $"coupon code {row.RowKey} is stored twice");
            }
        }

        return new Stored(members, directory);
    }

    private static JsonNode? Json(TableEntity row)
    {
        var json = new StringBuilder(row.GetString("StringData") ?? "");
        for (var i = 1; row.GetString("StringData" + i.ToString(CultureInfo.InvariantCulture)) is { } more; i++)
        {
            json.Append(more);
        }

        return json.Length == 0 ? null : JsonNode.Parse(json.ToString());
    }
}
