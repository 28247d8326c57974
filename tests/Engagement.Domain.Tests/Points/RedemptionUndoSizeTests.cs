using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// What the lots kept for the engine's undo of catalogue redemptions (<see cref="RedemptionRecord.Lots"/>) add to a
/// member's stored state at worst, and that the undo's ledger reason stays bounded (<see cref="RedemptionUndo"/>).
/// </summary>
public sealed class RedemptionUndoSizeTests
{
    private const int MaxGrainStateBytes = 480 * 1024;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A 128-character id of CJK characters (each escaped as \uXXXX in the stored JSON), unique by <paramref name="n"/>.</summary>
    internal static string CjkId(char kind, int n) => kind + new string('兑', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The worst case: the newest 4 catalogue redemptions at a store and, after them, the newest 3 points redemptions
    /// (<see cref="RedemptionUndo.MaxMovedOnlyRedemptionsWithLots"/>, kept so an undo can move them) each keep 16 lots with
    /// 128-character CJK ids.
    /// </summary>
    [Fact]
    public void TheNewestRedemptionsKeepingSixteenLotsWithLongCjkIdsAddAtMostTheDocumentedBytes()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-size" };
        var start = TestMember.Shanghai(2026, 1, 1);
        const int records = RedemptionUndo.MaxRedemptionsWithLots + RedemptionUndo.MaxMovedOnlyRedemptionsWithLots;
        const int lots = records * RedemptionUndo.MaxLotsPerRedemption;
        for (var i = 0; i < lots; i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = CjkId('O', i), Amount = 10m }, options, at);
        }

        var all = PointsWallet.Lots(state);
        Assert.Equal(lots, all.Count);
        var now = TestMember.Shanghai(2026, 6, 1);
        for (var r = 0; r < records; r++)
        {
            // Each takes exactly 16 lots, every part with its 128-character id (the worst case: no merged rest); the first 4
            // catalogue redemptions at a store, the last 3 points redemptions.
            var reward = r < RedemptionUndo.MaxRedemptionsWithLots ? "kettle" : null;
            Assert.True(MemberDecider.Redeem(state, CjkId('R', r), all.Skip(r * RedemptionUndo.MaxLotsPerRedemption).Take(RedemptionUndo.MaxLotsPerRedemption).Sum(l => l.Remaining), null, reward, options, now.AddMinutes(r), storeId: "S001").Reply.Accepted);
        }

        // Each lot's 128-character id is kept as its key (Orders.OrderIds: 2 characters, '~', 22 of hash; 35 bytes stored).
        Assert.Equal(records, state.Redemptions.Count);
        Assert.All(state.Redemptions, r => Assert.Equal(RedemptionUndo.MaxLotsPerRedemption, r.Lots!.Count(p => p.LotId is { Length: 25 } id && id[2] == Domain.Orders.OrderIds.Separator)));
        var with = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(state, Web));
        foreach (var record in state.Redemptions.Skip(RedemptionUndo.MaxRedemptionsWithLots))
        {
            record.Lots = null;
        }

        var withCatalogue = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(state, Web));
        foreach (var record in state.Redemptions)
        {
            record.Lots = null;
        }

        var catalogue = withCatalogue - Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(state, Web));
        var added = with - Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(state, Web));

        // 51,748 bytes (about 13 KB a redemption) for the 4 catalogue ones when the lots kept their ids in full; with keys
        // each of the 64 parts is 713 bytes shorter (748 escaped bytes of id, 35 of key): 6,116. The 3 points redemptions'
        // 48 parts add 4,587 more (about 1.5 KB each): 10,703 in all (the figures
        // RedemptionUndo.MaxRedemptionsWithLots states). That is not the headroom: the every-cap member with these 7
        // records (36-character lot ids stored as sent, MemberStateSerializationTests) is 487,997 bytes, 3,523 under the row.
        Assert.Equal((6_116, 10_703), (catalogue, added));
        Assert.Equal(0, PointsWallet.Balance(state));
        Assert.True(added < MaxGrainStateBytes * 3 / 100, $"the redemptions' lots add {added} bytes");
    }

    [Fact]
    public void TheUndoReasonNamesAtMostFourLotsThenHowManyMore()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-reason" };
        var start = TestMember.Shanghai(2026, 1, 1);
        for (var i = 0; i < RedemptionUndo.MaxLotsPerRedemption; i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = CjkId('O', i), Amount = 10m }, options, at);
        }

        var balance = PointsWallet.Balance(state);
        var now = TestMember.Shanghai(2026, 6, 1);
        Assert.True(MemberDecider.Redeem(state, "R-16", balance, null, "kettle", options, now, storeId: "S001").Reply.Accepted);

        var undone = MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + "R-16", AdjustmentPolicy.PointsKind, balance, "redemption R-16 undone", options, now.AddMinutes(1));

        var reason = Assert.Single(undone.Entries).Reason;
        Assert.EndsWith($", +{RedemptionUndo.MaxLotsPerRedemption - RedemptionUndo.MaxLotsNamed} more", reason, StringComparison.Ordinal);
        Assert.Equal(RedemptionUndo.MaxLotsNamed, reason.Split(" until ").Length - 1);

        // Each lot named as a spend names it: a 128-character id by the key its lot keeps (Orders.OrderIds), never in full.
        Assert.StartsWith($"{Domain.Orders.OrderIds.Key(CjkId('O', 0))} +20 until ", reason[(reason.IndexOf("; points back to their lots: ", StringComparison.Ordinal) + 29)..], StringComparison.Ordinal);
        Assert.DoesNotContain(CjkId('O', 0), reason, StringComparison.Ordinal);
        Assert.InRange(reason.Length, 200, 400);
        Assert.Equal(balance, PointsWallet.Balance(state)); // every lot got its points back, named or not
        Assert.Equal(RedemptionUndo.MaxLotsPerRedemption, PointsWallet.Lots(state).Count);
    }

    /// <summary>
    /// The worst moved text (LaterRedemptions): R1 took 16 lots of 10 with 128-character CJK ids; the 3 later catalogue
    /// redemptions that can move (the newest 4 that keep their lots include R1), each with a 128-character CJK id, took 5
    /// later lots each. The undo moves each onto 5 of R1's lots: 4 lots named a side, then <c>+1 more</c>, ids cut as a
    /// spend's, so the reason stays bounded.
    /// </summary>
    [Fact]
    public void TheUndoReasonNamingThreeMovedRedemptionsWithLongCjkIdsStaysBounded()
    {
        var options = new ProgramOptions { FirstPurchaseMultiplier = 1m };
        var state = new MemberState { MemberId = "M-reason-moved" };
        var start = TestMember.Shanghai(2026, 1, 1);
        const int later = RedemptionUndo.MaxRedemptionsWithLots - 1;
        for (var i = 0; i < RedemptionUndo.MaxLotsPerRedemption + (later * 5); i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = CjkId('O', i), Amount = 10m }, options, at);
        }

        var now = TestMember.Shanghai(2026, 6, 1);
        Assert.True(MemberDecider.Redeem(state, CjkId('R', 0), 160, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        for (var r = 1; r <= later; r++)
        {
            Assert.True(MemberDecider.Redeem(state, CjkId('R', r), 50, null, "kettle", options, now.AddMinutes(r), storeId: "S001").Reply.Accepted);
        }

        var undone = MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + CjkId('R', 0), AdjustmentPolicy.PointsKind, 160, "redemption undone", options, now.AddHours(1));

        var reason = Assert.Single(undone.Entries).Reason;
        var moved = reason[(reason.IndexOf(LotNames.MovedPrefix, StringComparison.Ordinal) + LotNames.MovedPrefix.Length)..];
        Assert.Equal(later, moved.Split(" instead of ").Length - 1);
        Assert.Equal(later * 2, moved.Split(" and +1 more").Length - 1);
        Assert.Equal(later * RedemptionUndo.MaxLotsNamed * 2, moved.Split(" until ").Length - 1);
        Assert.DoesNotContain(CjkId('R', 1), reason, StringComparison.Ordinal);
        Assert.All(state.Redemptions.Skip(1), r => Assert.Equal(5, r.Lots!.Count));
        Assert.Equal(160, PointsWallet.Balance(state)); // 310 bought, 310 redeemed, R1's 160 back: nothing created or lost

        // Measured 2,187 characters in all (R1's 4 lots named, then 3 redemptions × 8 lots of 25-character keys, their ids cut
        // to 40); a lot named as the grace lot adds about 20 characters, at most 28 lots named: under 3 KB either way.
        Assert.InRange(reason.Length, 2_000, 2_500);
    }
}
