using Engagement.Domain.Ledger;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// <see cref="LedgerBook.DateFrom"/> dates an event's new entries at its occurredAt in the new list and in the member's
/// recent ledger alike; it runs on every event that writes the ledger, so it dates them in place and makes nothing.
/// </summary>
public sealed class LedgerDatingTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DatingAnEventsEntriesUpdatesBothListsInPlaceAndMakesNothing()
    {
        // Warm-up on a state of its own: first calls may initialise statics.
        Dated(3);

        var (state, newEntries) = Written(3);
        var occurredAt = At.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8));
        var utc = occurredAt.ToUniversalTime();
        var written = newEntries.ToArray();
        var expected = written.Select(e => e with { OccurredAt = utc }).ToArray();

        var start = GC.GetAllocatedBytesForCurrentThread();
        LedgerBook.DateFrom(state, newEntries, 0, occurredAt);
        var cost = GC.GetAllocatedBytesForCurrentThread() - start;

        Assert.Equal(0, cost);
        Assert.All(newEntries, e => Assert.Equal(utc, e.OccurredAt));
        Assert.Equal(expected, newEntries);
        for (var i = 0; i < 3; i++)
        {
            // The very entries the event wrote, dated where they are: in the new list and the member's recent ledger.
            Assert.Same(written[i], newEntries[i]);
            Assert.Same(newEntries[i], state.Ledger[state.Ledger.Count - 3 + i]);
        }

        // The older entry, written by an earlier event, is not in the new list: the ledger keeps that very entry.
        Assert.Equal(4, state.Ledger.Count);
        Assert.Equal(At.AddDays(-1), state.Ledger[0].OccurredAt);
    }

    [Fact]
    public void AMembersFirstEventDatesTheEntryAtTheStartOfItsLedger()
    {
        // No earlier entry: the event's first entry is at index 0 of the member's recent ledger.
        var state = new MemberState { MemberId = "m1" };
        var newEntries = new List<LedgerEntry>();
        LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 5, 5, "joined", RuleIds.PointsEarn, "e1");
        LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 1, 6, "now", RuleIds.PointsEarn, "e1");
        var occurredAt = At.AddMinutes(-5);

        LedgerBook.DateFrom(state, newEntries, 0, occurredAt);

        Assert.Equal(2, state.Ledger.Count);
        Assert.All(state.Ledger, e => Assert.Equal(occurredAt, e.OccurredAt));
        Assert.Same(newEntries[0], state.Ledger[0]);
        Assert.Same(newEntries[1], state.Ledger[1]);
    }

    [Fact]
    public void FromAMarkOnlyLaterUndatedEntriesAreDatedAndOneWithItsOwnInstantKeepsIt()
    {
        // The new list holds an entry written before the mark (another step's, left undated here), then after the
        // mark one that carries its own instant (a lot's expiry) and one undated.
        var state = new MemberState { MemberId = "m1" };
        var newEntries = new List<LedgerEntry>();
        var beforeMark = LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 1, 1, "before", RuleIds.PointsEarn, "e1");
        var expiry = At.AddDays(-2);
        var own = LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, -1, 0, "expired", RuleIds.PointsEarn, "e1", expiry);
        LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 3, 3, "after", RuleIds.PointsEarn, "e1");
        var occurredAt = At.AddMinutes(-5);

        LedgerBook.DateFrom(state, newEntries, 1, occurredAt);

        Assert.Same(beforeMark, newEntries[0]);
        Assert.Same(beforeMark, state.Ledger[0]);
        Assert.Null(state.Ledger[0].OccurredAt);
        Assert.Same(own, newEntries[1]);
        Assert.Same(own, state.Ledger[1]);
        Assert.Equal(expiry, state.Ledger[1].OccurredAt);
        Assert.Equal(occurredAt, newEntries[2].OccurredAt);
        Assert.Same(newEntries[2], state.Ledger[2]);
    }

    [Fact]
    public void AnEntryAlreadyTrimmedFromTheRecentLedgerIsDatedInTheNewListAndTheLedgerIsUntouched()
    {
        // The event wrote two entries; the second carries its own instant. The recent ledger was then trimmed to its
        // newest entry, so the first is only in the new list.
        var state = new MemberState { MemberId = "m1" };
        var newEntries = new List<LedgerEntry>();
        LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, 1, 1, "trimmed", RuleIds.PointsEarn, "e1");
        var kept = LedgerBook.Append(state, newEntries, At, LedgerKinds.Points, -1, 0, "expired", RuleIds.PointsEarn, "e1", At.AddDays(-2));
        LedgerBook.Trim(state, 1);
        var occurredAt = At.AddMinutes(-5);

        LedgerBook.DateFrom(state, newEntries, 0, occurredAt);

        Assert.Equal(occurredAt, newEntries[0].OccurredAt);
        var only = Assert.Single(state.Ledger);
        Assert.Same(kept, only);
        Assert.Equal(At.AddDays(-2), only.OccurredAt);
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
