using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// What the outbox's byte bound costs: nothing on the hot path (an outbox of at most <see cref="OutboxBytes.MeasureAbove"/>
/// effects is never measured), and, past it, a count written into a reused scratch buffer, not a copy of the JSON.
/// </summary>
public class OutboxBytesAllocationTests
{

    /// <summary>A member whose outbox holds <paramref name="count"/> ledger entries the kept ledger does not hold (stored whole).</summary>
    private static MemberState WithPending(int count) =>
        PendingOutbox.WithLedgerEntries("M-alloc", count, "manual adjustment +1: " + new string('补', 200), "a");

    [Fact]
    public void AnOutboxNotPastTheCountToMeasureIsCheckedWithoutAllocating()
    {
        var state = WithPending(OutboxBytes.MeasureAbove);

        Assert.False(OutboxBytes.PastBound(state));
        Assert.Equal(0, AllocationProbe.FewestBytes(() => OutboxBytes.PastBound(state), enough: 0));
    }

    [Fact]
    public void MeasuringALargeOutboxAllocatesNoCopyOfItsJson()
    {
        var state = WithPending(100);
        var bytes = OutboxBytes.Stored(state);

        Assert.True(OutboxBytes.PastBound(state));
        Assert.InRange(bytes, 100 * 1_200, 100 * 1_600);

        // The JSON is about 130 KB; measuring it allocates a small fraction of that (no string, no byte array of it).
        var allocated = AllocationProbe.FewestBytes(() => OutboxBytes.Stored(state), enough: 0);
        Assert.True(allocated < 1_024, $"{allocated} bytes allocated to measure {bytes} bytes of JSON");
    }
}
