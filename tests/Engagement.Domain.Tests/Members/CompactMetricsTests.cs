using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// Metric contributions waiting in the outbox for their aggregators are stored without the ids and member id the
/// member rebuilds from its own state; loading gives back the same contributions, and states stored in full load alike.
/// </summary>
public sealed class CompactMetricsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void PendingContributionsAreStoredWithoutIdsAndLoadBackTheSame()
    {
        var state = Purchases(3);
        var pending = state.Outbox.Pending.OfType<RecordMetrics>().ToList();
        Assert.True(pending.Count >= 3, $"{pending.Count} pending metric effects");

        var json = JsonSerializer.Serialize(state, Web);
        var stored = StoredEffects(json, "metrics-compact");
        Assert.Equal(pending.Count, stored.Count);
        Assert.Empty(StoredEffects(json, "metrics"));
        Assert.All(stored.SelectMany(e => e["contributions"]!.AsArray()), c =>
        {
            Assert.Null(c!["id"]);
            Assert.Null(c["memberId"]);
        });
        Assert.DoesNotContain(pending[0].Contributions[0].Id, json, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        Assert.Equal(state.Outbox.Pending.Select(e => e.Id), back.Outbox.Pending.Select(e => e.Id));
        var loaded = back.Outbox.Pending.OfType<RecordMetrics>().ToList();
        Assert.Equal(pending.Count, loaded.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            Assert.Equal(pending[i].OutcomeId, loaded[i].OutcomeId);
            Assert.Equal(pending[i].Contributions.Count, loaded[i].Contributions.Count);
            for (var j = 0; j < pending[i].Contributions.Count; j++)
            {
                AssertSame(pending[i].Contributions[j], loaded[i].Contributions[j]);
            }
        }

        Assert.DoesNotContain(back.Outbox.Pending, e => e is CompactRecordMetrics);
        Assert.Equal(json, JsonSerializer.Serialize(back, Web));

        // Storing never changes the outbox itself.
        Assert.All(state.Outbox.Pending, e => Assert.IsNotType<CompactRecordMetrics>(e));
    }

    [Fact]
    public void AContributionWhoseIdIsNotTheRebuiltOneIsStoredInFull()
    {
        var state = Purchases(1);
        var made = state.Outbox.Pending.OfType<RecordMetrics>().First();
        var odd = made with { OutcomeId = "x" + made.OutcomeId, Contributions = [made.Contributions[0] with { Id = "custom-id" }] };
        state.Outbox.Confirm([.. state.Outbox.Pending]);
        state.Outbox.Add(odd);

        var json = JsonSerializer.Serialize(state, Web);
        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        Assert.Single(StoredEffects(json, "metrics"));
        Assert.Empty(StoredEffects(json, "metrics-compact"));
        AssertSame(odd.Contributions[0], Assert.IsType<RecordMetrics>(Assert.Single(back.Outbox.Pending)).Contributions[0]);
    }

    [Fact]
    public void StatesStoredWithFullContributionsLoadAlikeAndShrinkOnTheNextWrite()
    {
        var state = Purchases(2);
        var pending = state.Outbox.Pending.OfType<RecordMetrics>().ToList();
        var older = JsonNode.Parse(JsonSerializer.Serialize(state, Web))!;
        var outbox = older["outbox"]!.AsArray();
        for (var i = 0; i < outbox.Count; i++)
        {
            if ((string?)outbox[i]!["$effect"] == "metrics-compact")
            {
                // Written by earlier versions: the contribution in full, id and member id included.
                var full = pending.Single(p => p.OutcomeId == (string?)outbox[i]!["outcomeId"]);
                outbox[i] = JsonSerializer.SerializeToNode<MemberEffect>(full, Web);
            }
        }

        var olderJson = older.ToJsonString();
        Assert.Empty(StoredEffects(olderJson, "metrics-compact"));
        var back = JsonSerializer.Deserialize<MemberState>(olderJson, Web)!;

        var loaded = back.Outbox.Pending.OfType<RecordMetrics>().SelectMany(r => r.Contributions).ToList();
        var expected = pending.SelectMany(r => r.Contributions).ToList();
        Assert.Equal(expected.Count, loaded.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], loaded[i]);
        }

        // The next write stores them compact, as if they had never been stored in full.
        var rewritten = JsonSerializer.Serialize(back, Web);
        Assert.Equal(pending.Count, StoredEffects(rewritten, "metrics-compact").Count);
        Assert.Equal(JsonSerializer.Serialize(state, Web), rewritten);
    }

    [Fact]
    public void AWaitingContributionIsStoredAgainByTheCompactFormItsFirstWriteMade()
    {
        var state = Purchases(3);
        var first = state.StoredOutbox!.OfType<CompactRecordMetrics>().ToList();
        Assert.True(first.Count >= 3, $"{first.Count} compact metric effects");
        var json = JsonSerializer.Serialize(state, Web);

        // Stored again with nothing changed: the same forms, nothing allocated, the same JSON.
        Assert.Equal(first, state.StoredOutbox!.OfType<CompactRecordMetrics>(), ReferenceEqualityComparer.Instance);
        Assert.Equal(0L, AllocationProbe.FewestBytes(() => Assert.NotNull(state.StoredOutbox), enough: 0));
        Assert.Equal(json, JsonSerializer.Serialize(state, Web));

        // The oldest confirmed, one more purchase: the waiting ones keep their forms, one place forward; the new one gets its own.
        state.Outbox.Confirm([state.Outbox.Pending.OfType<RecordMetrics>().First()]);
        Purchase(state, 3);
        var newest = state.Outbox.Pending.OfType<RecordMetrics>().Last();
        var second = state.StoredOutbox!.OfType<CompactRecordMetrics>().ToList();
        Assert.Equal(first.Skip(1), second.Take(first.Count - 1), ReferenceEqualityComparer.Instance);
        Assert.Equal(first.Count, second.Count);
        Assert.Same(newest.Contributions, second[^1].Contributions);
        Assert.DoesNotContain(second[^1], first);
        AssertStoresAsAFreshState(state);

        // An effect replaced by one with the same id (other contributions) is stored by a form of its own.
        var replaced = newest with { Contributions = [newest.Contributions[0] with { Revenue = 7.25m }] };
        state.Outbox.Add(replaced);
        var third = state.StoredOutbox!.OfType<CompactRecordMetrics>().ToList();
        Assert.Same(replaced.Contributions, third[^1].Contributions);
        Assert.Equal(second.SkipLast(1), third.SkipLast(1), ReferenceEqualityComparer.Instance);
        AssertStoresAsAFreshState(state);
    }

    /// <summary>The state's JSON is the JSON of the same state loaded from it, whose outbox has no stored forms made before.</summary>
    private static void AssertStoresAsAFreshState(MemberState state)
    {
        var json = JsonSerializer.Serialize(state, Web);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize<MemberState>(json, Web), Web));
    }

    [Fact]
    public void CompactContributionsInAStateWithoutAMemberIdAreRefused()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Purchases(1), Web))!;
        json["memberId"] = "";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<MemberState>(json.ToJsonString(), Web));
        Assert.Contains("memberId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACompactContributionIsTheFullOneWithoutIdAndMemberAndLeavesItsDefaultsOut()
    {
        var day = new DateOnly(2026, 1, 5);
        var counters = new Dictionary<string, long> { ["dau"] = 1, ["purchases"] = -2 };
        var gauge = new MetricContribution
        {
            Id = MetricContribution.IdOf("M1", "e:e-1", true, "east", day), MemberId = "M1", RegionId = "east", Day = day, Sequence = 7, Shard = 3, IsGauge = true, Counters = counters, Revenue = -12.30m,
        };
        var plain = gauge with { Id = MetricContribution.IdOf("M1", "e:e-1", false, "east", day), Shard = 0, IsGauge = false, Revenue = 0m };
        var state = new MemberState { MemberId = "M1" };
        state.Outbox.Add(new RecordMetrics("e:e-1", [gauge, plain]));

        var stateJson = JsonSerializer.Serialize(state, Web);
        var json = JsonNode.Parse(stateJson)!["outbox"]![0]!;

        Assert.Equal(
            """{"$effect":"metrics-compact","outcomeId":"e:e-1","contributions":[{"regionId":"east","day":"2026-01-05","sequence":7,"shard":3,"isGauge":true,"counters":{"dau":1,"purchases":-2},"revenue":-12.30},{"regionId":"east","day":"2026-01-05","sequence":7,"counters":{"dau":1,"purchases":-2}}]}""",
            json.ToJsonString());

        // Each object is the contribution's own JSON without its id and member.
        var full = JsonNode.Parse(JsonSerializer.Serialize(gauge, Web))!.AsObject();
        full.Remove("id");
        full.Remove("memberId");
        Assert.True(JsonNode.DeepEquals(full, json["contributions"]![0]));

        var back = Assert.IsType<RecordMetrics>(Assert.Single(JsonSerializer.Deserialize<MemberState>(stateJson, Web)!.Outbox.Pending));
        AssertSame(gauge, back.Contributions[0]);
        AssertSame(plain, back.Contributions[1]);
    }

    [Theory]
    [InlineData("\"day\":\"2026-01-05\"", "\"day\":\"2026/01/05\"")]
    [InlineData("\"contributions\":[", "\"contributions\":null,\"x\":[")]
    [InlineData("{\"regionId\":\"east\",\"day\"", "{\"day\"")]
    public void ABrokenCompactFormIsRefusedAsJson(string part, string broken)
    {
        var json = JsonSerializer.Serialize(Purchases(1), Web);
        Assert.Contains(part, json, StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<MemberState>(json.Replace(part, broken, StringComparison.Ordinal), Web));
    }

    [Theory]
    [InlineData("M1", "e:e-1", true, "east", "M1|e:e-1|g|east|20260105", true)]
    [InlineData("M1", "e:e-1", true, "east", "M1|e:e-1|g|east|2026010x", false)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-1|d|east|20260105", true)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-1|g|east|20260105", false)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-1|d|west|20260105", false)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-1|d|east|20260106", false)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-1|d|east|20260105|", false)]
    [InlineData("M1", "e:e-1", false, "east", "M2|e:e-1|d|east|20260105", false)]
    [InlineData("M1", "e:e-1", false, "east", "M1|e:e-2|d|east|20260105", false)]
    [InlineData("M1|e:e", "-1", false, "east", "M1|e:e-1|d|east|20260105", false)]
    public void AContributionHasTheRebuiltIdOnlyWhenEveryPartMatches(string memberId, string outcomeId, bool gauge, string region, string id, bool expected)
    {
        var day = new DateOnly(2026, 1, 5);
        var contribution = new MetricContribution { Id = id, MemberId = memberId, RegionId = region, Day = day, IsGauge = gauge, Sequence = 1, Counters = new Dictionary<string, long> { ["dau"] = 1 } };

        Assert.Equal(expected, contribution.HasIdOf(memberId, outcomeId));
        Assert.Equal(expected, MetricContribution.IdOf(memberId, outcomeId, gauge, region, day) == id);
    }

    private static void AssertSame(MetricContribution expected, MetricContribution actual)
    {
        Assert.Equal(
            (expected.Id, expected.MemberId, expected.RegionId, expected.Day, expected.Sequence, expected.Shard, expected.IsGauge, expected.Revenue),
            (actual.Id, actual.MemberId, actual.RegionId, actual.Day, actual.Sequence, actual.Shard, actual.IsGauge, actual.Revenue));
        Assert.Equal(expected.Counters, actual.Counters);
    }

    private static MemberState Purchases(int count)
    {
        var state = new MemberState { MemberId = "M1", RegionId = "east" };
        for (var i = 0; i < count; i++)
        {
            Purchase(state, i);
        }

        return state;
    }

    /// <summary>Purchase number <paramref name="i"/> of <see cref="Purchases"/>, an hour after the one before.</summary>
    private static void Purchase(MemberState state, int i)
    {
        var at = Start.AddHours(i);
        MemberDecider.Apply(state, new MemberEvent("e-O" + i, MemberEventTypes.Purchase, at) { OrderId = "O" + i, Amount = 120.50m + i }, new ProgramOptions(), at, new MetricsOptions { Shards = 4 });
    }

    private static List<JsonNode> StoredEffects(string json, string kind) =>
        [.. (JsonNode.Parse(json)!["outbox"]?.AsArray() ?? []).OfType<JsonNode>().Where(e => (string?)e["$effect"] == kind)];
}
