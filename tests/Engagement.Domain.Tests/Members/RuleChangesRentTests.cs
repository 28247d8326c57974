using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// An event's rules fill the thread's reused <c>RuleChanges</c> (rented and returned per call); the decision gets copies
/// of its lists, so a decision still says what its own event did after the thread's next events, and an event whose
/// rules never ran (a duplicate) makes no lists at all. These guard the rented design (they pass on the build before it
/// too, except the duplicate's allocation bound, which failed there at 336 bytes).
/// </summary>
public sealed class RuleChangesRentTests
{
    [Fact]
    public void ADecisionKeepsItsOwnEntriesAndTierChangesAfterTheThreadsNextEvents()
    {
        var first = new TestMember();
        var decision = first.Purchase("O-1", 20_000m);
        var entries = decision.NewEntries.Select(e => (e.Kind, e.Delta, e.Sequence)).ToList();
        var tierChanges = decision.TierChanges.Select(c => (c.From, c.To)).ToList();
        Assert.NotEmpty(entries);
        Assert.NotEmpty(tierChanges);

        var second = new TestMember();
        var other = second.Purchase("O-2", 30_000m);
        second.Behave(MemberEventTypes.Share);
        var duplicate = second.Purchase("O-2", 30_000m);

        Assert.Equal(entries, decision.NewEntries.Select(e => (e.Kind, e.Delta, e.Sequence)).ToList());
        Assert.Equal(tierChanges, decision.TierChanges.Select(c => (c.From, c.To)).ToList());
        Assert.NotEmpty(other.NewEntries);
        Assert.Equal(EventStatus.Duplicate, duplicate.Status);
        Assert.Empty(duplicate.NewEntries);
        Assert.Empty(duplicate.TierChanges);
        Assert.Empty(duplicate.BenefitsGranted);
        Assert.Empty(duplicate.AppliedHeldRefunds);
        Assert.Empty(duplicate.RejectedHeldRefunds);
    }

    [Fact]
    public void ADuplicateAllocatesItsDecisionAndReasonButNoLists()
    {
        var member = new TestMember();
        member.Behave(MemberEventTypes.Share, eventId: "s-1");
        var again = new MemberEvent("s-1", MemberEventTypes.Share, member.Now);

        // The decision and its reason ("event s-1 was already applied"): with a RuleChanges and its five lists made per
        // call (224 bytes) a duplicate allocated 336 bytes; now 176. The bound leaves 16 bytes of slack, less than the
        // RuleChanges object (64) or one list (32) coming back.
        var bytes = AllocationProbe.FewestBytes(() => MemberEngine.Apply(member.State, again, member.Options, member.Now), enough: 192);

        Assert.True(bytes <= 192, $"a duplicate allocated {bytes} bytes");
    }
}
