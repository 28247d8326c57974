using Engagement.Domain.Campaigns;
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

    /// <summary>
    /// <see cref="MemberOutbox.Confirm"/> scans up to 16 confirmed effects in place and puts more into a reference set:
    /// both sides of that line, with a real <see cref="List{T}"/> (what the emitter passes), holding a duplicate and an
    /// effect value-equal to a newer pending one that must stay.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    public void ConfirmingAListRemovesByReferenceOnBothSidesOfTheScanLimit(int confirmedCount)
    {
        var outbox = new MemberOutbox();
        var report = new ReportCampaignPurchase("C-1", "target", "A", "e1", 100m, Conversion: true);
        var attributes = new MemberAttributes();
        var emittedIndex = new UpsertMemberIndex(attributes, DateTimeOffset.UnixEpoch);
        var newerIndex = new UpsertMemberIndex(attributes, DateTimeOffset.UnixEpoch); // distinct, newer, value-equal
        var entries = Enumerable.Range(1, confirmedCount - 3).Select(i => new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(i))).ToList();
        var unconfirmed = new ArchiveLedgerEntry(MemberEffectJsonTests.Entry(1000));
        outbox.Add(report);
        outbox.Add(emittedIndex);
        entries.ForEach(outbox.Add);
        outbox.Add(unconfirmed);
        outbox.Add(newerIndex); // replaces the one being emitted: confirming the older must not remove it
        var confirmed = new List<MemberEffect> { report, emittedIndex, report }; // the report twice
        confirmed.AddRange(entries);
        Assert.Equal(confirmedCount, confirmed.Count);
        Assert.Equal<MemberEffect>(emittedIndex, newerIndex);
        Assert.NotSame(emittedIndex, newerIndex);

        outbox.Confirm(confirmed);

        Assert.Equal(["index", "ledger:1000", "campaign-forget:campaign-purchase:C-1:e1"], outbox.Pending.Select(e => e.Id));
        Assert.Same(newerIndex, outbox.Pending[0]);
        Assert.Same(unconfirmed, outbox.Pending[1]);
        Assert.True(outbox.HasFollowUps);
    }
}
