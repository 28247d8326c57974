using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// What taking the effects queued since a mark allocates (the decider's sent touches, every coupon decision's effects):
/// the result list and nothing else, where <c>Pending.Skip(mark)</c> allocated an iterator (and, collected into a list,
/// a growing array) per decision.
/// </summary>
public class OutboxSinceAllocationTests
{
    private static MemberState WithPending(int count) =>
        PendingOutbox.WithLedgerEntries("M-since", count, "manual adjustment +1", "s");

    [Fact]
    public void Copying_the_effects_since_a_mark_into_a_list_with_room_allocates_nothing()
    {
        var state = WithPending(7);
        var into = new List<MemberEffect>(16);

        var bytes = AllocationProbe.FewestBytes(() => { into.Clear(); state.Outbox.CopySince(4, into); }, enough: 0);

        Assert.Equal(0, bytes);
        Assert.Equal(state.Outbox.Pending.Skip(4), into);
    }

    [Fact]
    public void The_effects_since_a_mark_are_one_list_of_their_exact_size()
    {
        var state = WithPending(7);
        // A List<T> object (32 bytes on 64-bit) and its array of 3 references (24-byte header + 3 × 8).
        const long exact = 32 + 24 + (3 * 8);

        var bytes = AllocationProbe.FewestBytes(() => MemberCoupons.Since(state, 4), enough: exact);

        Assert.Equal(exact, bytes);
        Assert.Equal(state.Outbox.Pending.Skip(4), MemberCoupons.Since(state, 4));
        Assert.Empty(MemberCoupons.Since(state, 7));
        Assert.Empty(MemberCoupons.Since(state, 9));
    }
}
