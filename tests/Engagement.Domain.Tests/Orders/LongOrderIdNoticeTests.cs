using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// Lots whose order ids are long (kept as keys, <see cref="OrderIds"/>): their expiry notices go out, a notice waiting for the
/// morning stored before keys were kept (its lot under the full id, its touch id made from it) still goes out after the
/// upgrade, their expiry and re-pricing entries and the member view name them by their key, which their purchase entry
/// names beside the id as sent (cut head…tail), and a support adjustment whose id is long is replayed by that id once its
/// lot is stored.
/// </summary>
public class LongOrderIdNoticeTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>128 code points, all Chinese, ending in the POS's order number.</summary>
    private static string CjkOrderId(int n) => "订" + new string('单', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Bought = new(2026, 1, 5, 2, 0, 0, Shanghai); // the lot expires 2027-01-05 02:00 +08:00
    private static readonly DateTimeOffset Night = new(2026, 12, 6, 2, 0, 0, Shanghai); // 30 days before: quiet hours
    private static readonly DateTimeOffset Morning = new(2026, 12, 6, 9, 0, 0, Shanghai);

    private static MemberState Bought100(string orderId)
    {
        var state = new MemberState { MemberId = "M-notice" };
        var decision = MemberEngine.Apply(state, new MemberEvent("p-1", MemberEventTypes.Purchase, Bought) { OrderId = orderId, Amount = 100m }, new ProgramOptions(), Bought);
        Assert.Equal(EventStatus.Applied, decision.Status);
        return state;
    }

    [Fact]
    public void AWaitingNoticeStoredBeforeKeysWereKeptGoesOutAfterTheUpgrade()
    {
        var options = new ProgramOptions();
        var state = Bought100(CjkOrderId(1));
        var waiting = Assert.Single(MemberTick.Run(state, options, Night).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal(TouchDecisions.Deferred, waiting.Decision);

        // The row the old code wrote: the lot under the full id, the notice's touch id made from it (its dedupe key).
        var key = OrderIds.Key(CjkOrderId(1));
        var oldTouchId = TouchIds.For(state.MemberId, TouchKinds.PointsExpiryNotice, null, null, CjkOrderId(1));
        var json = JsonSerializer.Serialize(state, Web);
        Assert.Contains(waiting.TouchId, json, StringComparison.Ordinal);
        var old = json.Replace(JsonSerializer.Serialize(key, Web), JsonSerializer.Serialize(CjkOrderId(1), Web), StringComparison.Ordinal)
            .Replace(waiting.TouchId, oldTouchId, StringComparison.Ordinal);
        var loaded = JsonSerializer.Deserialize<MemberState>(old, Web)!;

        var morning = MemberTick.Run(loaded, options, Morning);

        var sent = Assert.Single(morning.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((TouchDecisions.Sent, oldTouchId, "points:200;expiresAt:2027-01-04T18:00:00Z"), (sent.Decision, sent.TouchId, sent.Offer));
    }

    [Fact]
    public void AWaitingNoticeWithNoValidUntilStoredBeforeKeysWereKeptGoesByTheDayItsOfferStates()
    {
        // The same row with the notice's validUntil left out: its touch id, made from the full id, is no kept lot's, so
        // matching by touch id alone withdrew it ("no points left to expire") though the lot still holds its 200 points.
        var options = new ProgramOptions();
        var state = Bought100(CjkOrderId(1));
        var waiting = Assert.Single(MemberTick.Run(state, options, Night).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        var oldTouchId = TouchIds.For(state.MemberId, TouchKinds.PointsExpiryNotice, null, null, CjkOrderId(1));
        var json = JsonSerializer.Serialize(state, Web);
        var old = Regex.Replace(json, ",\"validUntil\":\"[^\"]*\"", "")
            .Replace(JsonSerializer.Serialize(OrderIds.Key(CjkOrderId(1)), Web), JsonSerializer.Serialize(CjkOrderId(1), Web), StringComparison.Ordinal)
            .Replace(waiting.TouchId, oldTouchId, StringComparison.Ordinal);
        var loaded = JsonSerializer.Deserialize<MemberState>(old, Web)!;
        Assert.Null(Assert.Single(loaded.Touches.Decisions, d => d.TouchId == oldTouchId).ValidUntil);

        var sent = Assert.Single(MemberTick.Run(loaded, options, Morning).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);

        Assert.Equal((TouchDecisions.Sent, oldTouchId, "points:200;expiresAt:2027-01-04T18:00:00Z"), (sent.Decision, sent.TouchId, sent.Offer));
    }

    [Fact]
    public void LongIdLotsOfOneDayShareANoticeThatGoesOutOnceAndTheirExpiryNamesTheKeyTheirPurchaseEntryShows()
    {
        var options = new ProgramOptions();
        var state = Bought100(CjkOrderId(1));
        var also = Bought.AddHours(3);
        Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent("p-2", MemberEventTypes.Purchase, also) { OrderId = CjkOrderId(2), Amount = 50m }, options, also).Status);
        Assert.Equal(2, PointsWallet.Lots(state).Count);

        var day = new DateTimeOffset(2026, 12, 6, 10, 0, 0, Shanghai);
        var notice = Assert.Single(MemberTick.Run(state, options, day).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((TouchDecisions.Sent, "points:250;expiresAt:2027-01-04T18:00:00Z"), (notice.Decision, notice.Offer));
        state = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!; // noticed lots stored and read back
        Assert.DoesNotContain(MemberTick.Run(state, options, day.AddDays(1)).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);

        // At expiry each lot's entry names it by its key (the member keeps no more of the id); its purchase entry names that
        // key in brackets after the id as sent, cut head…tail, which is how support finds the POS order.
        var expired = MemberTick.Run(state, options, Bought.AddYears(1).AddDays(1)).Engine.NewEntries.Where(e => e.RuleId == RuleIds.PointsExpire).ToList();
        Assert.Equal(2, expired.Count);
        foreach (var (id, points) in new[] { (CjkOrderId(1), 200), (CjkOrderId(2), 50) })
        {
            var entry = Assert.Single(expired, e => e.Delta == -points);
            Assert.StartsWith($"{points} points of purchase {OrderIds.Key(id)} expired at ", entry.Reason, StringComparison.Ordinal);
            var purchase = Assert.Single(state.Ledger, e => e.Kind == LedgerKinds.Points && e.Delta == points && e.Reason.Contains(OrderIds.Key(id), StringComparison.Ordinal));
            Assert.Contains(OrderIds.Named(id), purchase.Reason, StringComparison.Ordinal);
            Assert.Contains(id[^20..] + " [" + OrderIds.Key(id) + "]", purchase.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheMemberViewAndAReGrantNameALongIdLotByTheKeyItsPurchaseEntryShows()
    {
        var options = new ProgramOptions();
        var state = Bought100(CjkOrderId(2));
        var key = OrderIds.Key(CjkOrderId(2));
        Assert.Equal(key, Assert.Single(PointsWallet.Lots(state)).LotId);
        var shown = Assert.Single(MemberEngine.Summarize(state, options, Bought.AddDays(1)).PointsLots).LotId;
        Assert.Equal(key, shown);
        Assert.InRange(shown.Length, 1, 128); // an orderId's bound (CONTRACT.md §1): the field keeps its shape
        Assert.Contains(OrderIds.Named(CjkOrderId(2)), Assert.Single(state.Ledger, e => e.Kind == LedgerKinds.Points).Reason, StringComparison.Ordinal);
        Assert.EndsWith("[" + key + "]", OrderIds.Named(CjkOrderId(2)), StringComparison.Ordinal);

        // A late, earlier purchase takes the first-purchase double: the re-pricing entry names the long-id order by its key.
        var earlier = Bought.AddDays(-1);
        var late = MemberEngine.Apply(state, new MemberEvent("p-0", MemberEventTypes.Purchase, earlier) { OrderId = "O-0", Amount = 10m }, options, Bought.AddDays(1));
        Assert.Equal(EventStatus.Applied, late.Status);
        var correction = Assert.Single(state.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.StartsWith("purchase " + key + " earns 100 points ", correction.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ASupportAdjustmentWithALongIdIsReplayedByThatIdAfterItsLedgerEntryAndWindowsArePast()
    {
        // Support's adjustment names the POS order it makes good (a long id): its lot is kept under its key. 60 days and 60
        // purchases later its ledger entry has left the kept 50 and its id the 30-day window: only the lot still knows it,
        // found by the id as sent (AdjustmentPolicy reads the first outcome from it), before and after the state is stored.
        var options = new ProgramOptions();
        var state = Bought100("O-start");
        var adjustmentId = "make-good-" + CjkOrderId(3)[..100];
        var at = Bought.AddDays(1);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(state, adjustmentId, "points", 300, "parcel lost", options, at).Status);
        var lot = Assert.Single(state.Orders, o => o.IsBonusLot);
        Assert.Equal(OrderIds.Key(AdjustmentPolicy.EventIdOf(adjustmentId)), lot.OrderId);
        for (var i = 0; i < 60; i++)
        {
            var when = at.AddHours(1 + i);
            var purchase = MemberEngine.Apply(state, new MemberEvent($"q-{i}", MemberEventTypes.Purchase, when) { OrderId = $"O-{i}", Amount = 1m }, options, when);
            Assert.True(purchase.Status == EventStatus.Applied, purchase.Reason);
        }

        var later = at.AddDays(60);
        Assert.DoesNotContain(state.Ledger, e => e.EventId == AdjustmentPolicy.EventIdOf(adjustmentId));
        foreach (var member in new[] { state, JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)! })
        {
            Assert.Equal(AdjustmentStatuses.Replayed, AdjustmentPolicy.Apply(member, adjustmentId, "points", 300, "parcel lost", options, later).Status);
            Assert.Equal(AdjustmentStatuses.Conflict, AdjustmentPolicy.Apply(member, adjustmentId, "points", 301, "parcel lost", options, later).Status);
            Assert.Equal(300, Assert.Single(member.Orders, o => o.IsBonusLot).Points);
        }
    }
}
