using Engagement.Domain.Ledger;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// <see cref="LedgerBook.DateFrom"/> dates an event's new entries at its occurredAt in the new list and in the member's
/// recent ledger alike; it runs on every event that writes the ledger, so it makes nothing beyond the dated entries.
/// </summary>
public sealed class LedgerDatingTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DatingAnEventsEntriesUpdatesBothListsAndMakesOnlyTheDatedEntries()
    {
        // Warm-up on a state of its own: first calls may initialise statics.
        Dated(3);

        var (state, newEntries) = Written(3);
        var occurredAt = At.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8));
        var utc = occurredAt.ToUniversalTime();

        // What the dated copies alone cost: the same three copies made here.
        var copies = new LedgerEntry[3];
        _ = newEntries[0] with { OccurredAt = utc };
        var copyStart = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++)
        {
            copies[i] = newEntries[i] with { OccurredAt = utc };
        }

        var copiesCost = GC.GetAllocatedBytesForCurrentThread() - copyStart;

        var start = GC.GetAllocatedBytesForCurrentThread();
        LedgerBook.DateFrom(state, newEntries, 0, occurredAt);
        var cost = GC.GetAllocatedBytesForCurrentThread() - start;

        Assert.Equal(copiesCost, cost);
        Assert.All(newEntries, e => Assert.Equal(utc, e.OccurredAt));
        Assert.Equal(copies, newEntries);
        for (var i = 0; i < 3; i++)
        {
            // The member's recent ledger holds the very entries of the new list.
            Assert.Same(newEntries[i], state.Ledger[state.Ledger.Count - 3 + i]);
        }

        // The older entry, written by an earlier event and already dated, is left as it was.
        Assert.Equal(At.AddDays(-1), state.Ledger[0].OccurredAt);
    }

    private static void Dated(int n)
    {
        var (state, newEntries) = Written(n);
        LedgerBook.DateFrom(state, newEntries, 0, At.AddMinutes(-5));
    }

    /// <summary>A member with one older dated entry, then <paramref name="n"/> entries an event just wrote, not dated yet.</summary>
    private static (MemberState State, List<LedgerEntry> NewEntries) Written(int n)
    {
        var state = new MemberState { MemberId = "m1" };
        LedgerBook.Append(state, new List<LedgerEntry>(), At.AddDays(-1), LedgerKinds.Points, 10, 10, "earlier", RuleIds.PointsEarn, "e0", At.AddDays(-1));
        var newEntries = new List<LedgerEntry>();
        for (var i = 0; i < n; i++)
        {
            LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 1, 11 + i, "now", RuleIds.PointsEarn, "e1");
        }

        return (state, newEntries);
    }
}
