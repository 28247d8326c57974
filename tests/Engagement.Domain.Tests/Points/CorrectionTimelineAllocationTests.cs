using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A late event re-prices the member's later orders (<see cref="EarningPolicy.CorrectOrdersAfter"/>) on the thread's
/// reused <see cref="GrowthTimeline"/> (<c>Rent</c>/<c>Return</c>), not on a timeline of its own: re-pricing orders that
/// earn what they did allocates less than building one timeline for the member does. What it writes is pinned elsewhere
/// (<c>PersistedBytesPinTests</c>, the late-event earning tests).
/// </summary>
public sealed class CorrectionTimelineAllocationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RepricingLaterOrdersBuildsNoTimelineOfItsOwn()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M1" };
        for (var i = 0; i < 8; i++)
        {
            var at = Start.AddDays(i * 2);
            MemberDecider.Apply(state, new MemberEvent($"e{i}", MemberEventTypes.Purchase, at) { OrderId = $"O{i}", Amount = 120m + i }, options, at);
            MemberDecider.Apply(state, new MemberEvent($"s{i}", MemberEventTypes.Share, at.AddHours(1)), options, at.AddHours(1));
        }

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
