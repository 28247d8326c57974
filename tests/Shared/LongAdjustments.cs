using Engagement.Contracts.Members;

namespace Engagement.Testing;

/// <summary>
/// Manual adjustments that fill a member's outbox fastest, each with the longest reason allowed: the way the tests back a
/// member up past its outbox byte bound while its ledger archive is down. Linked from tests/Shared into the test projects
/// that do so (Grains, Azure and Console tests, by tests/Directory.Build.props). A test may pass a reason of its own (as long,
/// every character outside ASCII), so that a ledger entry or log line it leaves behind names the case it came from.
/// </summary>
public static class LongAdjustments
{
    /// <summary>
    /// A manual adjustment's longest reason: 200 Chinese characters (<c>AdjustmentPolicy.MaxReasonLength</c>), 6 bytes each
    /// in the outbox's byte measure (non-ASCII escaped, <c>OutboxBytes.Bound</c>).
    /// </summary>
    public static readonly string Reason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];

    /// <summary>Adjustment <c>adj-{i:D3}</c>: one point with <paramref name="reason"/> (default <see cref="Reason"/>).</summary>
    public static AdjustmentRequest Numbered(int i, string? reason = null) => new() { AdjustmentId = $"adj-{i:D3}", Kind = "points", Delta = 1, Reason = reason ?? Reason };

    /// <summary>
    /// Sends <see cref="Numbered"/> adjustments 0, 1, … (at most <paramref name="tries"/>) to <paramref name="member"/> until
    /// one is refused as backed up; returns that refusal, or null when none was. Other failures are ignored: the caller
    /// has made the member's ledger archive fail, and asserts what it expects of the refusal. <paramref name="reason"/>: as
    /// in <see cref="Numbered"/>.
    /// </summary>
    public static async Task<MemberBacklogException?> UntilBackedUpAsync(IMemberGrain member, int tries = 150, string? reason = null)
    {
        for (var i = 0; i < tries; i++)
        {
            if (await Record.ExceptionAsync(() => member.AdjustAsync(Numbered(i, reason))) is MemberBacklogException refusal)
            {
                return refusal;
            }
        }

        return null;
    }
}
