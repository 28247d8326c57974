using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Growth;

/// <summary>
/// Three loops of the purchase path ran over <c>x ?? []</c> with <c>x</c> a <c>List</c> or <c>Dictionary</c>, which makes
/// a new empty collection every time <c>x</c> is null (the usual case): one per order without refunds in
/// <see cref="RefundInstants.Of"/>, one per call of <see cref="OrderBook.ReviveLaterThan"/> with nothing to revive, one per
/// fill of a <see cref="GrowthTimeline"/> as of an instant. They make none now; what they answer is pinned elsewhere
/// (<c>PersistedBytesPinTests</c>, the timeline and refund timing tests).
/// </summary>
public sealed class EmptyCollectionAllocationTests
{
    [Fact]
    public void RefundInstantsOfOrdersWithoutRefundsAllocatesOnlyItsList()
    {
        var options = new ProgramOptions();
        var many = Member("M-many", 12, options);
        var none = new MemberState { MemberId = "M-none" };
        Assert.DoesNotContain(many.Orders, o => o.RefundMarks is not null);
        _ = RefundInstants.Of(many);
        _ = RefundInstants.Of(none);

        var noneBytes = AllocationProbe.FewestBytes(() => _ = RefundInstants.Of(none));
        var manyBytes = AllocationProbe.FewestBytes(() => _ = RefundInstants.Of(many), noneBytes);

        Assert.Empty(RefundInstants.Of(many));
        Assert.Equal(noneBytes, manyBytes); // not 12 empty lists more
    }

    [Fact]
    public void NothingToReviveAndATimelineRefilledAsOfAnInstantAllocateNothing()
    {
        var options = new ProgramOptions();
        var state = Member("M1", 6, options);
        Assert.Empty(state.OrderSummaries);
        var last = state.Orders[^1];
        var key = GrowthTimeline.OrderKey(last);
        var now = last.At.AddHours(1);
        OrderBook.ReviveLaterThan(state, options, now, key, occurredFrom: null);
        GrowthTimeline.Return(GrowthTimeline.Rent(state, options, last.At));

        var reviveBytes = AllocationProbe.FewestBytes(() => OrderBook.ReviveLaterThan(state, options, now, key, occurredFrom: null), 0);
        var refillBytes = AllocationProbe.FewestBytes(() => GrowthTimeline.Return(GrowthTimeline.Rent(state, options, last.At)), 0);

        Assert.Equal(0, reviveBytes);
        Assert.Equal(0, refillBytes);
    }

    private static MemberState Member(string id, int purchases, ProgramOptions options) =>
        PurchaseHistory.Purchases(new MemberState { MemberId = id }, purchases, 100m, options, shares: false, idPrefix: id + "-");
}
