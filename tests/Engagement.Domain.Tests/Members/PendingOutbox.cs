using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;

namespace Engagement.Domain.Tests.Members;

/// <summary>Members whose outbox holds waiting ledger entries, for the outbox's allocation tests.</summary>
internal static class PendingOutbox
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 1, 12, 0, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// A member whose outbox holds <paramref name="count"/> manual +1 point entries (sequences 1..count, a minute
    /// apart from 2026-06-01 12:00 Shanghai), each with <paramref name="reason"/> and the eventId
    /// <c>adjustment|{idPrefix}{i}</c>; the kept ledger does not hold them, so each is stored whole.
    /// </summary>
    public static MemberState WithLedgerEntries(string memberId, int count, string reason, string idPrefix)
    {
        var state = new MemberState { MemberId = memberId };
        for (var i = 0; i < count; i++)
        {
            var entry = new Ledger.LedgerEntry
            {
                Sequence = i + 1, At = Noon.AddMinutes(i), Kind = "points", Delta = 1, BalanceAfter = i + 1,
                Reason = reason, RuleId = "points.adjustment", EventId = $"adjustment|{idPrefix}{i}",
            };
            state.Outbox.Add(new ArchiveLedgerEntry(entry));
        }

        return state;
    }
}
