using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

public class LedgerEntryJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly LedgerEntry Entry = new()
    {
        Sequence = 12,
        At = new DateTimeOffset(2026, 6, 1, 11, 43, 12, 345, TimeSpan.FromHours(8)),
        Kind = LedgerKinds.Points,
        Delta = -148,
        BalanceAfter = 1_234,
        Reason = "purchase O-1 of 148.20 CNY at V1 ×1.0",
        RuleId = RuleIds.PointsEarn,
        EventId = "e-1",
    };

    [Fact]
    public void AnEntryIsStoredAsAPositionalArrayAndReadsBackEqual()
    {
        var json = JsonSerializer.Serialize(Entry, Web);

        Assert.Equal("[12,\"2026-06-01T11:43:12.345+08:00\",\"points\",-148,1234,\"purchase O-1 of 148.20 CNY at V1 \\u00D71.0\",\"points.earn\",\"e-1\"]", json);
        Assert.Equal(Entry, JsonSerializer.Deserialize<LedgerEntry>(json, Web));
        var withoutEvent = Entry with { EventId = null };
        Assert.Equal(withoutEvent, JsonSerializer.Deserialize<LedgerEntry>(JsonSerializer.Serialize(withoutEvent, Web), Web));
        Assert.DoesNotContain("null", JsonSerializer.Serialize(withoutEvent, Web), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"sequence\":12,\"at\":\"2026-06-01T11:43:12.345+08:00\",\"kind\":\"points\",\"delta\":-148,\"balanceAfter\":1234,\"reason\":\"purchase O-1 of 148.20 CNY at V1 ×1.0\",\"ruleId\":\"points.earn\",\"eventId\":\"e-1\"}")]
    [InlineData("{\"Sequence\":12,\"At\":\"2026-06-01T11:43:12.345+08:00\",\"Kind\":\"points\",\"Delta\":-148,\"BalanceAfter\":1234,\"Reason\":\"purchase O-1 of 148.20 CNY at V1 ×1.0\",\"RuleId\":\"points.earn\",\"EventId\":\"e-1\",\"Later\":{\"x\":[1]}}")]
    public void StateWrittenBeforeTheArrayStillReads(string stored)
    {
        Assert.Equal(Entry, JsonSerializer.Deserialize<LedgerEntry>(stored, Web));
    }

    [Fact]
    public void TheObjectFormReadsTheTierLeft()
    {
        var stored = "{\"sequence\":12,\"at\":\"2026-06-01T11:43:12.345+08:00\",\"kind\":\"tier\",\"delta\":-1,\"balanceAfter\":2,\"reason\":\"V3 → V2\",\"ruleId\":\"tier.downgrade.refund\",\"eventId\":\"e-1\",\"TierLeft\":\"V3\"}";

        Assert.Equal(("V3", (DateTimeOffset?)null), (JsonSerializer.Deserialize<LedgerEntry>(stored, Web)!.TierLeft, JsonSerializer.Deserialize<LedgerEntry>(stored, Web)!.OccurredAt));
        Assert.Null(JsonSerializer.Deserialize<LedgerEntry>(stored.Replace("\"V3\"}", "null}", StringComparison.Ordinal), Web)!.TierLeft);
    }

    [Fact]
    public void AnEntryWithAnEventAndATierLeftButNoOccurredAtWritesANullPlaceholderAndReadsBackEqual()
    {
        var entry = Entry with { Kind = LedgerKinds.Tier, RuleId = RuleIds.TierDowngradeRefund, TierLeft = "V3" };

        var json = JsonSerializer.Serialize(entry, Web);

        Assert.EndsWith(",\"e-1\",null,\"V3\"]", json, StringComparison.Ordinal);
        Assert.Equal(entry, JsonSerializer.Deserialize<LedgerEntry>(json, Web));
    }

    [Fact]
    public void AMemberWithItsLedgerInTheOldFormReadsAndWritesTheNewOne()
    {
        var old = "{\"memberId\":\"M1\",\"ledger\":[{\"sequence\":1,\"at\":\"2026-06-01T11:43:12+08:00\",\"kind\":\"growth\",\"delta\":148,\"balanceAfter\":148,\"reason\":\"purchase O-1\",\"ruleId\":\"growth.purchase\",\"eventId\":null}],\"nextSequence\":2}";

        var state = JsonSerializer.Deserialize<MemberState>(old, Web)!;

        var entry = Assert.Single(state.Ledger);
        Assert.Equal((1L, 148L, "growth.purchase", (string?)null), (entry.Sequence, entry.BalanceAfter, entry.RuleId, entry.EventId));
        Assert.Contains("\"ledger\":[[1,\"2026-06-01T11:43:12+08:00\",\"growth\",148,148,\"purchase O-1\",\"growth.purchase\"]]", JsonSerializer.Serialize(state, Web), StringComparison.Ordinal);
    }
}
