using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;
using static Engagement.Domain.Tests.PurchaseHistory;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A late event re-prices the member's later orders (<see cref="EarningPolicy.CorrectOrdersAfter"/>) on the thread's
/// reused <see cref="GrowthTimeline"/> (<c>Rent</c>/<c>Return</c>), not on a timeline of its own: re-pricing orders that
/// earn what they did allocates less than building one timeline for the member does. What it writes is pinned elsewhere
/// (<c>PersistedBytesPinTests</c>, the late-event earning tests).
/// </summary>
public sealed class CorrectionTimelineAllocationTests
{
    [Fact]
    public void RepricingLaterOrdersBuildsNoTimelineOfItsOwn()
    {
        var options = new ProgramOptions();
        var state = PurchaseHistory.Purchases(new MemberState { MemberId = "M1" }, 8, 120m, options, shares: true);

        // A point between the first and second orders: every later order is re-priced, and earns what it did.
        var after = new EventKey(Start.AddDays(1), "late");
        var now = Start.AddDays(20);
        var cause = new CorrectionCause("late", "share", Start.AddDays(1));
        var entries = new List<LedgerEntry>();
        EarningPolicy.CorrectOrdersAfter(state, options, now, after, cause, "late", entries);
        _ = GrowthTimeline.Build(state, options, Start.AddDays(2));

        var buildBytes = AllocationProbe.FewestBytes(() => _ = GrowthTimeline.Build(state, options, Start.AddDays(2)));
        var correctBytes = AllocationProbe.FewestBytes(() => EarningPolicy.CorrectOrdersAfter(state, options, now, after, cause, "late", entries), buildBytes - 1);

        Assert.Empty(entries); // nothing to correct
        Assert.True(correctBytes < buildBytes, $"re-pricing {correctBytes} bytes, one timeline {buildBytes} bytes");
    }
}
