using Engagement.Domain.Ledger;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Members;

/// <summary>The ledger's view answers at and occurredAt in UTC (docs/ledger.md), whatever offset an entry was recorded with.</summary>
public class LedgerEntryViewUtcTests
{
    [Fact]
    public void AnExpiryRecordedAtItsLocalInstantIsShownInUtcInBothFields()
    {
        var local = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.FromHours(8)); // a lot's expiry, Asia/Shanghai midnight
        var entry = new LedgerEntry { Sequence = 7, At = local, Kind = LedgerKinds.Points, Delta = -10, Reason = "expired", RuleId = "points.expire" };

        var view = MemberMapper.ToView(entry);

        Assert.Equal((local, TimeSpan.Zero), (view.At, view.At.Offset));
        Assert.Equal((local, TimeSpan.Zero), (view.OccurredAt, view.OccurredAt.Offset));
    }
}
