using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The ledger's view (what the archive rows and the API carry) keeps the tier a tier entry's move left, so the archived
/// history names it as the member's state does; other entries have none and their JSON is unchanged.
/// </summary>
public class LedgerEntryViewTierLeftTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ATierEntrysViewNamesTheTierItLeftAndOtherEntriesLeaveItOut()
    {
        var at = new DateTimeOffset(2026, 3, 10, 4, 0, 0, TimeSpan.Zero);
        var drop = new LedgerEntry
        {
            Sequence = 4, At = at, Kind = LedgerKinds.Tier, Delta = 0, BalanceAfter = 2, Reason = "V2 kept (in order V3 → V2)",
            RuleId = RuleIds.TierDowngradeRefund, TierLeft = "V3",
        };
        var earn = new LedgerEntry { Sequence = 5, At = at, Kind = LedgerKinds.Points, Delta = 10, Reason = "purchase O-1", RuleId = "points.earn" };

        var tierView = MemberMapper.ToView(drop);
        var earnView = MemberMapper.ToView(earn);

        Assert.Equal("V3", tierView.TierLeft);
        Assert.Contains("\"tierLeft\":\"V3\"", JsonSerializer.Serialize(tierView, Web), StringComparison.Ordinal);
        Assert.Null(earnView.TierLeft);
        Assert.DoesNotContain("tierLeft", JsonSerializer.Serialize(earnView, Web), StringComparison.Ordinal);
    }
}
