using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The undo of catalogue redemption R1 (docs/offers.md) when points redemptions (no reward, with or without a store) came
/// after it: each keeps the lots it took (<see cref="RedemptionRecord.Lots"/>) while an undoable redemption before it keeps
/// its own, so the undo takes it again from the soonest-expiring points (LaterRedemptions), as a later catalogue one is.
/// Checked against the member that never made R1, replayed from the same events: the lots with their expiry, the
/// balance, and every point that expires when (the breakage) equal. Shanghai instants; default programme (1 point =
/// 0.01 CNY, first purchase ×2, 12-month lots); A: 300 CNY on 1 Jan 2026 (600 points until 2027-01-01 12:00), C: 200 CNY
/// on 1 Feb 2026 (200 until 2027-02-01 12:00); the steps an hour apart from 1 Mar 2026 10:00, the undo a day after the
/// last, before any lot expires (a lot expired by the undo comes back as a grace lot, the one designed difference).
/// </summary>
public sealed class RedemptionUndoPointsTests
{
    private static readonly Engagement.Domain.Metrics.MetricsOptions Metrics = RedemptionUndoDebtTests.Metrics;

    /// <summary>
    /// Steps: <c>+D</c> buys D (amounts in <see cref="Bought"/>); <c>Rn:points</c> a catalogue redemption at S001,
    /// <c>Pn:points</c> a points redemption at S001, <c>Qn:points</c> one without a store. Before the fix the points
    /// redemptions kept the later-expiring lots they took after R1's undo, so the first case ended A 600, C 0, D 50, E 80
    /// (A 500, C 150, D 150, E 80 had R1 never been made: 100 more points expiring on 1 Jan 2027).
    /// </summary>
    [Theory]
    [InlineData("R1:700,+D,P2:50,R3:100,+E,Q4:120")]
    [InlineData("R1:650,+D,Q2:100,P3:100,P4:60")]
    [InlineData("P0:50,R1:500,+D,P2:200,+E,P3:40,R4:30")]
    [InlineData("R1:300,R2:100,+D,P3:250,R4:50,+E,P5:100,+F,Q6:90")]
    public void AfterTheUndoPointsRedemptionsHoldTheLotsTheyWouldHaveHadR1NeverBeenMade(string script)
    {
        var (options, undone) = Played(script, withR1: true);
        var (_, never) = Played(script, withR1: false);
        var r1 = undone.Redemptions.Single(r => r.RedemptionId == "R1").Points;
        var undoAt = At(script.Split(',').Length + 24);

        var undo = RedemptionUndoTests.Undo(undone, "R1", r1, options, undoAt, Metrics);
        Assert.Equal(AdjustmentStatuses.Applied, undo.Reply.Status);
        Assert.Equal(Tick(never, options, undoAt), Tick(undone, options, undoAt)); // nothing expired yet on either side

        Assert.Equal(RedemptionUndoDebtTests.Lots(never), RedemptionUndoDebtTests.Lots(undone));
        Assert.Equal(PointsWallet.Balance(never), PointsWallet.Balance(undone));
        Assert.Equal(PointsWallet.Balance(undone), undone.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));

        // The breakage: every point that expires, when, on either member, through the last lot's expiry.
        Assert.Equal(Tick(never, options, TestMember.Shanghai(2028, 1, 1)), Tick(undone, options, TestMember.Shanghai(2028, 1, 1)));
        Assert.Equal((0L, 0L), (PointsWallet.Balance(never), PointsWallet.Balance(undone)));
    }

    /// <summary>
    /// A member state written before points redemptions kept their lots (stored and read back as web JSON, the points
    /// redemption's lots left out as that engine wrote it): it loads, is saved again in that shape (no lots written for
    /// them), and a points redemption made after it keeps its lots while the old ones still have none. The undo moves the new
    /// one (P4's 20 points from D onto A, the soonest to expire) and leaves the old ones on the lots they took, as before:
    /// after the undo A 580, C 100, D 30 and E 80 (the never-R1 member holds A 360, C 200, D 150, E 80).
    /// </summary>
    [Fact]
    public void APointsRedemptionStoredWithoutItsLotsLoadsAndIsNotMovedWhileANewOneIs()
    {
        var (options, state) = Played("R1:700,+D,P2:50,+E,Q3:170", withR1: true);
        var json = JsonNode.Parse(JsonSerializer.Serialize(state, Web))!.AsObject();
        foreach (var record in json["redemptions"]!.AsArray())
        {
            if (record!["rewardId"] is null)
            {
                Assert.True(record.AsObject().Remove("lots"));
            }
        }

        var stored = json.Deserialize<MemberState>(Web)!;
        Assert.All(stored.Redemptions.Where(r => r.RewardId is null), r => Assert.Null(r.Lots));

        // Saved again and read back: the old rows stay without lots (nothing invents them).
        var saved = JsonNode.Parse(JsonSerializer.Serialize(stored, Web))!["redemptions"]!.AsArray();
        Assert.All(saved.Where(r => r!["rewardId"] is null), r => Assert.Null(r!["lots"]));
        stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(stored, Web), Web)!;

        Assert.True(MemberDecider.Redeem(stored, "P4", 20, null, null, options, At(5), Metrics, storeId: "S001").Reply.Accepted);
        Assert.Equal(
            [("R1", true), ("P2", false), ("Q3", false), ("P4", true)],
            stored.Redemptions.Select(r => (r.RedemptionId, r.Lots is not null)));
        Assert.Equal([("D", 20L)], stored.Redemptions.Single(r => r.RedemptionId == "P4").Lots!.Select(p => (p.LotId!, p.Points)));

        var undone = RedemptionUndoTests.Undo(stored, "R1", 700, options, At(30), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal(
            [("A", RedemptionUndoDebtTests.AExpiry, 580L), ("C", "2027-02-01T12:00:00+08:00", 100L), ("D", "2027-03-01T11:00:00+08:00", 30L), ("E", "2027-03-01T13:00:00+08:00", 80L)],
            RedemptionUndoDebtTests.Lots(stored));
        var reason = Assert.Single(undone.Entries).Reason;
        Assert.Contains(LotNames.MovedPrefix, reason, StringComparison.Ordinal);
        Assert.Contains("P4", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("P2", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Q3", reason, StringComparison.Ordinal);
        Assert.Equal(790, PointsWallet.Balance(stored));
    }

    /// <summary>
    /// The documented limit (docs/offers.md): only the newest 3 points redemptions after an undoable one keep their lots, so
    /// an older one stays on the later-expiring points it took. R1 600 from A; P2 100 and P3..P5 10 each from C. The undo
    /// moves P3..P5 onto A but not P2: A 570, C 100, D 150, where the never-R1 member holds A 470, C 200, D 150 (100 points
    /// expiring on 1 Jan 2027 instead of 1 Feb 2027; the balance is the same).
    /// </summary>
    [Fact]
    public void APointsRedemptionOlderThanTheNewestThreeIsNotMoved()
    {
        const string Script = "R1:600,+D,P2:100,P3:10,P4:10,P5:10";
        var (options, undone) = Played(Script, withR1: true);
        var (_, never) = Played(Script, withR1: false);
        Assert.Null(undone.Redemptions.Single(r => r.RedemptionId == "P2").Lots);

        Assert.Equal(AdjustmentStatuses.Applied, RedemptionUndoTests.Undo(undone, "R1", 600, options, At(30), Metrics).Reply.Status);

        Assert.Equal(
            [("A", RedemptionUndoDebtTests.AExpiry, 570L), ("C", "2027-02-01T12:00:00+08:00", 100L), ("D", "2027-03-01T11:00:00+08:00", 150L)],
            RedemptionUndoDebtTests.Lots(undone));
        Assert.Equal(
            [("A", RedemptionUndoDebtTests.AExpiry, 470L), ("C", "2027-02-01T12:00:00+08:00", 200L), ("D", "2027-03-01T11:00:00+08:00", 150L)],
            RedemptionUndoDebtTests.Lots(never));
        Assert.Equal(PointsWallet.Balance(never), PointsWallet.Balance(undone));
    }

    /// <summary>
    /// An undo naming a points redemption (the engine never gives itself one, but the id is only a string) does not use the
    /// lots it kept to be moved: it falls back to one fresh lot expiring like a purchase's, as before those lots were kept.
    /// </summary>
    [Fact]
    public void AnUndoNamingAPointsRedemptionGivesOneFreshLot()
    {
        var (options, state) = Played("R1:100,P2:50", withR1: true);
        Assert.NotNull(state.Redemptions.Single(r => r.RedemptionId == "P2").Lots);

        var undone = RedemptionUndoTests.Undo(state, "P2", 50, options, At(30), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.DoesNotContain("points back to their lots", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        var lots = RedemptionUndoDebtTests.Lots(state);
        Assert.Equal(("A", RedemptionUndoDebtTests.AExpiry, 450L), lots[0]);
        Assert.Equal(("C", "2027-02-01T12:00:00+08:00", 200L), lots[1]);
        Assert.Equal(50L, Assert.Single(lots.Skip(2)).Item3);
        Assert.Equal(700, PointsWallet.Balance(state));
    }

    /// <summary>
    /// State stays bounded: a member who makes no catalogue redemption at a store keeps no lots on its points
    /// redemptions; after one, at most the newest <see cref="RedemptionUndo.MaxMovedOnlyRedemptionsWithLots"/> points
    /// redemptions keep theirs, never pushing out the catalogue one's (its undo still gives each lot back its points); once
    /// it is undone, the points redemptions before no undoable one drop theirs.
    /// </summary>
    [Fact]
    public void PointsRedemptionsKeepTheirLotsOnlyAfterAnUndoableOneAndAtMostTheNewestThree()
    {
        var (options, state) = Played("Q0:10,P1:10", withR1: false);
        Assert.All(state.Redemptions, r => Assert.Null(r.Lots));

        (options, state) = Played("Q0:10,R1:100,P2:10,Q3:10,P4:10,P5:10,Q6:10", withR1: true);
        Assert.Equal(
            [("Q0", false), ("R1", true), ("P2", false), ("Q3", false), ("P4", true), ("P5", true), ("Q6", true)],
            state.Redemptions.Select(r => (r.RedemptionId, r.Lots is not null)));
        Assert.Equal([("A", 100L)], state.Redemptions.Single(r => r.RedemptionId == "R1").Lots!.Select(p => (p.LotId!, p.Points)));

        var undone = RedemptionUndoTests.Undo(state, "R1", 100, options, At(30), Metrics);

        Assert.Contains("; points back to their lots: A +100 until ", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.All(state.Redemptions, r => Assert.Null(r.Lots));
        Assert.Equal([("A", RedemptionUndoDebtTests.AExpiry, 540L), ("C", "2027-02-01T12:00:00+08:00", 200L)], RedemptionUndoDebtTests.Lots(state));
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>What each <c>+X</c> step buys (CNY): points as the default programme earns them, 1 a CNY after the first purchase.</summary>
    private static readonly Dictionary<string, decimal> Bought = new(StringComparer.Ordinal) { ["D"] = 150m, ["E"] = 80m, ["F"] = 120m };

    /// <summary>The step at <paramref name="hours"/> hours after 1 Mar 2026 10:00 (Shanghai).</summary>
    private static DateTimeOffset At(int hours) => TestMember.Shanghai(2026, 3, 1, 10).AddHours(hours);

    /// <summary>A and C bought, then <paramref name="script"/> played (R1 left out when <paramref name="withR1"/> is false: the member that never made it).</summary>
    private static (ProgramOptions Options, MemberState State) Played(string script, bool withR1)
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-points" };
        RedemptionUndoDebtTests.Buy(state, options, "A", 300m, TestMember.Shanghai(2026, 1, 1));
        RedemptionUndoDebtTests.Buy(state, options, "C", 200m, TestMember.Shanghai(2026, 2, 1));
        var steps = script.Split(',');
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            if (step[0] == '+')
            {
                RedemptionUndoDebtTests.Buy(state, options, step[1..], Bought[step[1..]], At(i));
                continue;
            }

            var id = step[..step.IndexOf(':', StringComparison.Ordinal)];
            if (id == "R1" && !withR1)
            {
                continue;
            }

            var points = long.Parse(step[(id.Length + 1)..], CultureInfo.InvariantCulture);
            var (rewardId, storeId) = step[0] switch { 'R' => ("mug", "S001"), 'P' => ((string?)null, (string?)"S001"), _ => (null, null) };
            Assert.True(MemberDecider.Redeem(state, id, points, null, rewardId, options, At(i), Metrics, storeId: storeId).Reply.Accepted, step);
        }

        return (options, state);
    }

    /// <summary>The member's ticks up to <paramref name="until"/>: each expiry as (points, instant), in order.</summary>
    private static List<(long, DateTimeOffset)> Tick(MemberState state, ProgramOptions options, DateTimeOffset until) =>
        [.. MemberDecider.Tick(state, options, until).Entries.Where(e => e.RuleId == RuleIds.PointsExpire).Select(e => (e.Delta, e.EffectiveOccurredAt))];
}
