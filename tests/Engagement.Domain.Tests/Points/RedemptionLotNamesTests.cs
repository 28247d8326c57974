using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A spend's own ledger entry names the lots its points came from (docs/offers.md), as the undo's names the lots
/// they went back to: support sees from the ledger why a lot shrank and why points expire when they do.
/// </summary>
public sealed class RedemptionLotNamesTests
{
    private const string TakenPrefix = "; points taken from lots: ";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ARedemptionNamesEachLotItTookFromInTheOrderTakenWithTheLotsOwnExpiry()
    {
        var member = ThreeLots();

        var decision = member.Redeem("R-1", 350, rewardId: "mug");

        var entry = Assert.Single(decision.NewEntries);
        Assert.Equal(
            "redemption R-1 of 350 points (3.50 CNY) for reward mug; points taken from lots: O-1 -200 until 2026-01-01T12:00:00+08:00, "
            + "O-2 -100 until 2026-01-02T12:00:00+08:00, O-3 -50 until 2026-01-03T12:00:00+08:00",
            entry.Reason);
        Assert.Equal("redemption R-1 of 350 points (3.50 CNY) for reward mug", decision.Detail); // the answer keeps its text
        Assert.Equal(50, PointsWallet.Lots(member.State).Single().Remaining);
    }

    [Fact]
    public void AGraceLotThatExpiresBeforeAnOlderLotIsTakenAndNamedFirst()
    {
        // O-1 (200 points, until 1 January 2026) goes to redemption R-1, whose undo comes after O-1 expired: a 30-day grace
        // lot, the newest lot but expiring before O-2 (bought in June 2025, until June 2026). Oldest first would take O-2.
        var member = new TestMember();
        member.Purchase("O-1", 100m, TestMember.Shanghai(2025, 1, 1));
        member.Purchase("O-2", 100m, TestMember.Shanghai(2025, 6, 1));
        Assert.True(MemberDecider.Redeem(member.State, "R-1", 200, null, "mug", member.Options, TestMember.Shanghai(2025, 12, 31), storeId: "S1").Reply.Accepted);
        MemberDecider.Adjust(member.State, AdjustmentPolicy.RedemptionUndoPrefix + "R-1", AdjustmentPolicy.PointsKind, 200,
            "redemption R-1 undone: its unit was released and none is left (mug at S1)", member.Options, TestMember.Shanghai(2026, 1, 5));

        var redeemed = MemberDecider.Redeem(member.State, "R-2", 250, null, "kettle", member.Options, TestMember.Shanghai(2026, 1, 10), storeId: "S1");

        Assert.EndsWith(TakenPrefix + "adjustment|redemption-undo:R-1 -200 until 2026-02-04T12:00:00+08:00, O-2 -50 until 2026-06-01T12:00:00+08:00",
            Assert.Single(redeemed.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal(50, Assert.Single(PointsWallet.Lots(member.State)).Remaining);
    }

    [Fact]
    public void ANegativeAdjustmentNamesTheLotsItTookFromAfterTheStaffReason()
    {
        var member = ThreeLots();

        var decision = AdjustmentPolicy.Apply(member.State, "adj-1", AdjustmentPolicy.PointsKind, -250, "duplicate earn; see ticket 7", member.Options, member.Now);

        Assert.Equal(AdjustmentStatuses.Applied, decision.Status);
        Assert.Equal("manual adjustment -250: duplicate earn; see ticket 7", decision.Detail);
        Assert.Equal(
            "manual adjustment -250: duplicate earn; see ticket 7; points taken from lots: O-1 -200 until 2026-01-01T12:00:00+08:00, O-2 -50 until 2026-01-02T12:00:00+08:00",
            Assert.Single(decision.NewEntries).Reason);
    }

    [Fact]
    public void ACashOnlyStepTakesNoLotAndItsReasonIsAsBefore()
    {
        var member = ThreeLots();

        var decision = member.Redeem("R-cash", 0, cash: 20m, rewardId: "mug");

        Assert.Equal("redemption R-cash of 0 points (0.00 CNY) + 20.00 CNY cash for reward mug", Assert.Single(decision.NewEntries).Reason);
    }

    [Fact]
    public void ARedemptionOfMoreThanFourLotsNamesFourThenHowManyMoreAndLongCjkIdsKeepItBounded()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-cjk" };
        var start = TestMember.Shanghai(2026, 1, 1);
        const int lots = 6;
        for (var i = 0; i < lots; i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = CjkId('O', i), Amount = 10m }, options, at);
        }

        var balance = PointsWallet.Balance(state);
        var redeemed = MemberDecider.Redeem(state, CjkId('R', 0), balance, null, "kettle", options, TestMember.Shanghai(2026, 6, 1), storeId: "S001");

        Assert.True(redeemed.Reply.Accepted);
        var entry = Assert.Single(redeemed.Entries);
        var named = entry.Reason[(entry.Reason.IndexOf(TakenPrefix, StringComparison.Ordinal) + TakenPrefix.Length)..];
        Assert.Equal(
            string.Join(", ", Enumerable.Range(0, RedemptionUndo.MaxLotsNamed).Select(i => string.Create(CultureInfo.InvariantCulture,
                $"{Domain.Orders.OrderIds.Key(CjkId('O', i))} -{(i == 0 ? 20 : 10)} until {start.AddHours(i).AddYears(1):yyyy-MM-dd'T'HH:mm:ssK}")))
            + $", +{lots - RedemptionUndo.MaxLotsNamed} more",
            named);

        // Bounded whatever the ids: the lots keep long ids as keys of 25 characters (Orders.OrderIds), named in full, beside
        // the 128-character redemption id (526 characters and 2,678 bytes as stored when the lots kept the ids in full and
        // the names cut them to 40 characters: now 60 characters shorter, and each name about 200 bytes smaller stored).
        Assert.Equal(526 - (4 * 15), entry.Reason.Length);
        var bytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(entry, Web));
        Assert.InRange(bytes, 1_500, 2_700);
    }

    [Fact]
    public void ALongIdOfCharactersOutsideTheBasicPlaneIsCutBetweenItsSurrogatePairs()
    {
        var member = new TestMember();
        var id = string.Concat(Enumerable.Repeat("𠀀", 30)); // 60 UTF-16 characters
        member.Purchase(id, 100m, TestMember.Shanghai(2025, 1, 1));

        var reason = Assert.Single(member.Redeem("R-1", 50).NewEntries).Reason;

        // The lot keeps the id as its key (Orders.OrderIds): its opening one whole pair, then '~' and the hash.
        Assert.StartsWith("𠀀~", Domain.Orders.OrderIds.Key(id), StringComparison.Ordinal);
        Assert.EndsWith($"{TakenPrefix}{Domain.Orders.OrderIds.Key(id)} -50 until 2026-01-01T12:00:00+08:00", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LongIdsThatDifferOnlyAtTheirEndReadApart()
    {
        // 46 characters, the same first 40: as an undo's extra lots (adjustment|redemption-undo\u001F2:RDM-…) differ.
        var member = new TestMember();
        member.Purchase("store-S001-till-07-receipt-RDM-20261204-000123", 100m, TestMember.Shanghai(2025, 1, 1));
        member.Purchase("store-S001-till-07-receipt-RDM-20261204-000124", 100m, TestMember.Shanghai(2025, 1, 2));

        var reason = Assert.Single(member.Redeem("R-1", 250).NewEntries).Reason;

        // Longer than a GUID: each lot keeps its id as a key (Orders.OrderIds), whose hashes differ.
        var (a, b) = (Domain.Orders.OrderIds.Key("store-S001-till-07-receipt-RDM-20261204-000123"), Domain.Orders.OrderIds.Key("store-S001-till-07-receipt-RDM-20261204-000124"));
        Assert.NotEqual(a, b);
        Assert.EndsWith(TakenPrefix + a + " -200 until 2026-01-01T12:00:00+08:00, " + b + " -50 until 2026-01-02T12:00:00+08:00", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RDM-20261204-000123")]
    [InlineData("3f2b8c1e-9a4d-4e6f-b7c2-1d0e5a9f8b34")]
    public void AnUndosOwnLotsReadApartWhateverTheRedemptionIdsLength(string redemptionId)
    {
        // The undo's first lot and its numbered extra lots differ in the middle, not at their end.
        string[] ids =
        [
            "adjustment|redemption-undo:" + redemptionId,
            "adjustment|redemption-undo\u001F2:" + redemptionId,
            "adjustment|redemption-undo\u001F3:" + redemptionId,
        ];

        var shown = ids.Select(LotNames.Shown).ToList();

        Assert.Equal(3, shown.Distinct(StringComparer.Ordinal).Count());
        Assert.All(shown, s => Assert.InRange(s.Length, 1, LotNames.MaxLotIdShown));
        Assert.StartsWith("adjustment|redemption-undo\u001F2:…", shown[1], StringComparison.Ordinal);
        Assert.EndsWith(redemptionId[^10..], shown[2], StringComparison.Ordinal);
    }

    [Fact]
    public void WithThirtySixCharacterIdsTheNamedLotsAddAtMostTheDocumentedBytesToAnEntry()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-guid" };
        var start = TestMember.Shanghai(2026, 1, 1);
        for (var i = 0; i < 8; i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = Guid.NewGuid().ToString(), Amount = 10m }, options, at);
        }

        var redeemed = MemberDecider.Redeem(state, "R-1", PointsWallet.Balance(state), null, "kettle", options, TestMember.Shanghai(2026, 6, 1), storeId: "S001");

        var reason = Assert.Single(redeemed.Entries).Reason;
        var from = reason.IndexOf(TakenPrefix, StringComparison.Ordinal);
        Assert.True(from > 0, reason);

        // Four lots named, then "+4 more": at most about 330 characters (bytes) an entry, 17 KB over the 50 entries kept.
        Assert.InRange(reason.Length - from, 300, 340);
    }

    private static string CjkId(char kind, int n) => RedemptionUndoSizeTests.CjkId(kind, n);

    /// <summary>Lots O-1 (200 points, first purchase ×2), O-2 and O-3 (100 each), bought on 1, 2 and 3 January 2025 at noon in Shanghai.</summary>
    private static TestMember ThreeLots()
    {
        var member = new TestMember();
        for (var day = 1; day <= 3; day++)
        {
            member.Purchase($"O-{day}", 100m, TestMember.Shanghai(2025, 1, day));
        }

        return member;
    }
}
