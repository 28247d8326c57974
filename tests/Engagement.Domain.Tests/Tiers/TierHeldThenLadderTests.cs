using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A refund replayed in order before the <c>tier.downgrade.refund</c> that entered the tier held now is judged against the
/// tier that drop left (CONTRACT.md §1.1): read from the tier the entry names, not worked out from the rank held now less
/// the entry's delta, which names another tier once the ladder has changed since.
/// </summary>
public class TierHeldThenLadderTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    // Default programme. O-0 1,500 (1 Feb, V2), O-1 4,000 (1 Mar, 5,500: V3), 1,000 of O-1 refunded on 10 Mar (4,500: V3 → V2
    // at once). Now 12 Mar.
    private static TestMember V3ThenRefundDropToV2()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-0", 1500m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Purchase("O-1", 4000m, eventId: "e-1");
        Assert.Equal("V3", member.Tier);
        member.Now = TestMember.Shanghai(2026, 3, 10);
        member.Refund("O-1", 1000m, eventId: "e-r1");
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 3, 12);
        return member;
    }

    [Fact]
    public void ARefundBeforeTheDropIsJudgedAgainstTheTierTheDropLeftAfterATierWasAddedBetween()
    {
        // Then the programme adds V2b at 4,800, between V2 and V3 (4,500 now: V2 kept). The late refund of 600 of O-0 dated
        // 5 Mar arrives (3,900 now: V2 kept). In order: 5 Mar 4,900 takes V3 (held since 1 Mar) down to V2b at once, 10 Mar
        // 3,900 takes V2b down to V2. Worked out as rank less delta the tier held on 5 Mar read as V2b (V2 + 1), which
        // 4,900 still reaches: nothing recorded.
        var member = V3ThenRefundDropToV2();
        member.Options.Tiers["V2b"] = new TierRule { Threshold = 4_800, PointsMultiplier = 1.3m };

        var late = member.Refund("O-0", 600m, at: TestMember.Shanghai(2026, 3, 5), eventId: "e-late-refund");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 10)), (member.Tier, member.State.TierSince));
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 5)),
                (RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 10)),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
        Assert.Contains("(in order V3 → V2b)", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ATierMoveNamesTheTierItLeftAndStateStoredWithoutItIsJudgedAsBefore()
    {
        // State stored before tier entries named the tier they left: the drop of 10 Mar has no tier left; the tier held on
        // 5 Mar is worked out from its delta as before (V2 + 1 = V3, the ladder unchanged). The late refund of 600 of O-0
        // dated 5 Mar: 4,900 takes V3 down to V2 in order (the tier held now: delta 0, tierSince 5 Mar).
        var member = V3ThenRefundDropToV2();
        var drop = member.State.Ledger.Last(e => e.Kind == LedgerKinds.Tier);
        Assert.Equal(("V3", RuleIds.TierDowngradeRefund), (drop.TierLeft, drop.RuleId));
        var old = member.State.Ledger.Select(e => e with { TierLeft = null }).ToList();
        member.State.Ledger.Clear();
        member.State.Ledger.AddRange(old);
        var json = JsonSerializer.Serialize(member.State, Web);
        Assert.DoesNotContain("\"V3\"]", json, StringComparison.Ordinal);
        var stored = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        Assert.All(stored.Ledger, e => Assert.Null(e.TierLeft));

        var late = MemberEngine.Apply(
            stored,
            new MemberEvent("e-late-refund", MemberEventTypes.Refund, TestMember.Shanghai(2026, 3, 5)) { OrderId = "O-0", Amount = 600m },
            member.Options,
            member.Now);

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 5)), (TierPolicy.Current(stored, member.Options), stored.TierSince));
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, 0L, TestMember.Shanghai(2026, 3, 5))],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));
    }

    [Fact]
    public void ATierEntryKeepsTheTierItLeftAsATenthFieldAndAnOlderEntryReadsWithout()
    {
        var entry = new LedgerEntry
        {
            Sequence = 4, At = TestMember.Shanghai(2026, 3, 10).ToUniversalTime(), Kind = LedgerKinds.Tier, Delta = -1, BalanceAfter = 2,
            Reason = "V3 to V2", RuleId = RuleIds.TierDowngradeRefund, TierLeft = "V3",
        };

        var json = JsonSerializer.Serialize(entry, Web);

        Assert.Equal("[4,\"2026-03-10T04:00:00+00:00\",\"tier\",-1,2,\"V3 to V2\",\"tier.downgrade.refund\",null,null,\"V3\"]", json);
        Assert.Equal(entry, JsonSerializer.Deserialize<LedgerEntry>(json, Web));
        var older = JsonSerializer.Deserialize<LedgerEntry>(
            "[4,\"2026-03-10T04:00:00+00:00\",\"tier\",-1,2,\"V3 to V2\",\"tier.downgrade.refund\",\"e-r1\",\"2026-03-10T04:00:00+00:00\"]", Web)!;
        Assert.Null(older.TierLeft);
    }
}
