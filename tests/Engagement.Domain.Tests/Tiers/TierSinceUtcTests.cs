using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// tierSince is stored as a UTC instant (offset zero) whichever rule moved the tier, as a refund's drop already stores it:
/// an upgrade dated at a late event keeps neither the POS's local offset (+08:00) nor a member-local midnight, and the
/// persisted state's JSON says <c>+00:00</c>. The engine's clock is UTC (TimeProvider), events carry their own offset.
/// </summary>
public class TierSinceUtcTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ALatePurchasesUpgradeStoresTierSinceInUtc()
    {
        var member = new TestMember(new DateTimeOffset(2026, 3, 10, 4, 0, 0, TimeSpan.Zero));
        var at = TestMember.Shanghai(2026, 3, 8);

        member.Purchase("O-1", 1000m, at: at);

        AssertUtc(at, member.State.TierSince);
        Assert.Contains("\"tierSince\":\"2026-03-08T04:00:00+00:00\"", JsonSerializer.Serialize(member.State, Web), StringComparison.Ordinal);
    }

    [Fact]
    public void ALatePurchaseAgedOutSinceStoresTierSinceInUtc()
    {
        // O-0 600 (1 Jan), O-2 600 (20 Mar), 60-day window; the late 400 of 15 Feb arrives on 25 Apr: V2 since 15 Feb.
        var member = AgedOutHistory();
        var late = TestMember.Shanghai(2026, 2, 15);

        member.Purchase("O-late", 400m, at: late);

        Assert.Equal("V2", member.Tier);
        AssertUtc(late, member.State.TierSince);
    }

    [Fact]
    public void ALiftBackInOrderStoresTierSinceInUtc()
    {
        // TierLiftBackBenefitDatesTests' history on a UTC clock: in order V3 → V1 on 1 Mar, V3 again with O-3 on 5 Mar.
        var member = new TestMember(TestMember.Shanghai(2026, 2, 20).ToUniversalTime());
        member.Purchase("O-0", 4500m, at: TestMember.Shanghai(2026, 2, 20));
        member.Now = TestMember.Shanghai(2026, 2, 25).ToUniversalTime();
        member.Purchase("O-1", 5000m, at: TestMember.Shanghai(2026, 2, 25));
        member.Now = TestMember.Shanghai(2026, 3, 1).ToUniversalTime();
        member.Refund("O-0", 4400m, at: TestMember.Shanghai(2026, 3, 1));
        member.Now = TestMember.Shanghai(2026, 3, 5).ToUniversalTime();
        member.Purchase("O-3", 4200m, at: TestMember.Shanghai(2026, 3, 5));
        member.Now = TestMember.Shanghai(2026, 3, 10).ToUniversalTime();

        member.Refund("O-1", 4200m, at: TestMember.Shanghai(2026, 2, 28));

        Assert.Equal("V3", member.Tier);
        AssertUtc(TestMember.Shanghai(2026, 3, 5), member.State.TierSince);
    }

    [Fact]
    public void AGraceDropStoresTierSinceInUtc()
    {
        // V2 with 1,000 on 1 Jan (60-day window): it ages out on 2 Mar (Shanghai midnight), the grace ends on 1 Apr: V1 since then.
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1).ToUniversalTime());
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m, at: TestMember.Shanghai(2026, 1, 1));
        member.Now = TestMember.Shanghai(2026, 4, 5).ToUniversalTime();

        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);

        Assert.Equal("V1", member.Tier);
        AssertUtc(TestMember.Shanghai(2026, 4, 1, 0, 0), member.State.TierSince);
    }

    [Fact]
    public void AStateStoredWithALocalTierSinceReadsBackInUtc()
    {
        var stored = JsonSerializer.Deserialize<MemberState>("{\"memberId\":\"M1\",\"tier\":\"V2\",\"tierSince\":\"2026-03-08T12:00:00+08:00\"}", Web)!;

        AssertUtc(TestMember.Shanghai(2026, 3, 8), stored.TierSince);
    }

    [Fact]
    public void AGraceStartedByATickIsStoredInUtcWhileItsDropReasonStillNamesTheMemberLocalMidnight()
    {
        // V2 with 1,000 on 1 Jan (60-day window): short from 2 Mar (Shanghai midnight), found by the 5 Mar tick; the grace
        // ends on 1 Apr. The stored grace start is that instant in UTC; the drop's (stored) reason text reads as before.
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1).ToUniversalTime());
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 1000m, at: TestMember.Shanghai(2026, 1, 1));
        member.Now = TestMember.Shanghai(2026, 3, 5).ToUniversalTime();

        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);

        AssertUtc(TestMember.Shanghai(2026, 3, 2, 0, 0), member.State.TierGraceStartedAt);
        Assert.Contains("\"tierGraceStartedAt\":\"2026-03-01T16:00:00+00:00\"", JsonSerializer.Serialize(member.State, Web), StringComparison.Ordinal);
        member.Now = TestMember.Shanghai(2026, 4, 5).ToUniversalTime();
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        var drop = member.State.Ledger.Last(e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierDowngradeGrace, TestMember.Shanghai(2026, 4, 1, 0, 0)), (drop.RuleId, drop.EffectiveOccurredAt));
        Assert.EndsWith("through the 30-day grace from 2026-03-02T00:00:00+08:00", drop.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALatePurchaseAgedOutSinceStoresItsGraceStartInUtc()
    {
        // ALatePurchaseAgedOutSinceStoresTierSinceInUtc's history: V2 since 15 Feb in order, the late 400 ages out on 16 Apr
        // (600 left): V2's grace from that Shanghai midnight, judged in order (UpgradeAsOf).
        var member = AgedOutHistory();

        member.Purchase("O-late", 400m, at: TestMember.Shanghai(2026, 2, 15));

        Assert.Equal("V2", member.Tier);
        AssertUtc(TestMember.Shanghai(2026, 4, 16, 0, 0), member.State.TierGraceStartedAt);
    }

    [Fact]
    public void AStateStoredWithALocalGraceStartReadsBackInUtc()
    {
        var stored = JsonSerializer.Deserialize<MemberState>(
            "{\"memberId\":\"M1\",\"tier\":\"V2\",\"tierGraceStartedAt\":\"2026-03-02T00:00:00+08:00\"}", Web)!;

        AssertUtc(TestMember.Shanghai(2026, 3, 2, 0, 0), stored.TierGraceStartedAt);
    }

    private static void AssertUtc(DateTimeOffset expected, DateTimeOffset? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected, TimeSpan.Zero), (actual.Value, actual.Value.Offset));
    }

    /// <summary>O-0 600 CNY (1 Jan), O-2 600 CNY (20 Mar), a 60-day growth window; the clock at 25 Apr (Shanghai).</summary>
    private static TestMember AgedOutHistory()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1).ToUniversalTime());
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 600m, at: TestMember.Shanghai(2026, 1, 1));
        member.Now = TestMember.Shanghai(2026, 3, 20).ToUniversalTime();
        member.Purchase("O-2", 600m, at: TestMember.Shanghai(2026, 3, 20));
        member.Now = TestMember.Shanghai(2026, 4, 25).ToUniversalTime();
        return member;
    }
}
