using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;

namespace Engagement.Domain.Tests.Members;

/// <summary>The member's pending effects: a repeat replaces, a confirmation removes by reference and queues follow-ups.</summary>
public class MemberOutboxTests
{
    [Fact]
    public void AddingAnEffectWithAPendingIdReplacesItAndKeepsTheOthers()
    {
        var outbox = new MemberOutbox();
        var first = new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(7));
        var again = new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(7) with { Reason = "again" });
        outbox.Add(first);
        outbox.Add(new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(8)));
        outbox.Add(new UpsertMemberIndex(new(), DateTimeOffset.UnixEpoch));
        outbox.Add(new RegisterCouponCode("7")); // another kind whose natural key reads the same as an entry's sequence

        outbox.Add(again);
        outbox.Add(new UpsertMemberIndex(new(), DateTimeOffset.UnixEpoch.AddDays(1)));

        Assert.Equal(["ledger:7", "ledger:8", "index", "coupon-code:7"], outbox.Pending.Select(e => e.Id));
        Assert.Same(again, outbox.Pending[0]);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), Assert.IsType<UpsertMemberIndex>(outbox.Pending[2]).At);
    }

    [Fact]
    public void ConfirmingRemovesTheEmittedByReferenceKeepsTheRestInOrderAndQueuesFollowUps()
    {
        var outbox = new MemberOutbox();
        var entry = new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(7));
        var report = new ReportCampaignPurchase("C-1", "target", "A", "e1", 100m, Conversion: true);
        var index = new UpsertMemberIndex(new(), DateTimeOffset.UnixEpoch);
        outbox.Add(entry);
        outbox.Add(report);
        outbox.Add(index);
        outbox.Add(new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(8)));
        var emittedIndex = index;
        var newerIndex = new UpsertMemberIndex(new(), DateTimeOffset.UnixEpoch.AddDays(1));
        outbox.Add(newerIndex); // replaces the one being emitted: confirming the older must not remove it

        outbox.Confirm([report, emittedIndex, entry]);

        Assert.Equal(["index", "ledger:8", "campaign-forget:campaign-purchase:C-1:e1"], outbox.Pending.Select(e => e.Id));
        Assert.Same(newerIndex, outbox.Pending[0]);
        Assert.True(outbox.HasFollowUps);
    }
}
