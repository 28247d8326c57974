namespace Engagement.Domain.Members;

/// <summary>What a member's stored state measures at its worst; MemberStateSerializationTests pins each figure to its measurement.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// UTF-8 bytes of JSON (web defaults, as the grain storage writes it) of the largest state a member writes under the
    /// default options with EVERY per-member collection at its cap at once (MemberStateSerializationTests
    /// .EveryCapAtOnceWithEveryCollectionAtItsCapIsMeasuredWhole): both order caps with GUID ids and a refund on each, the
    /// eventId window at its cap, 20 held refunds each keeping the most text kept (<see cref="HeldRefund.MaxSourceTextStoredBytes"/>,
    /// 1 KiB stored), 32 tags of 64 characters, 50 coupons refused with 128-character CJK ids, 32 adjustment makers with such
    /// ids, the 100 remembered redemptions (<see cref="Program.ProgramOptions.RecentRedemptionsKept"/>) each with a
    /// 128-character CJK id (stored twice: as the id and in its detail), 64-character reward and store ids, the newest 7 keeping
    /// 16 lots each (Points.RedemptionUndo), 100 campaign memberships (the grains' <c>Engagement:Campaigns:MaxMembershipsKept</c>)
    /// holding the 1,000 attributed orders of <c>Engagement:Campaigns:MaxAttributedOrders</c> (about 94 bytes each) and the
    /// member index's copy of the tags, its kept ledger 50 negative manual adjustments with 200-character Chinese reasons
    /// naming four GUID lots, and its outbox the change that passed the outbox's byte bound (<see cref="Effects.OutboxBytes.Bound"/>).
    /// Measured: 802,163 bytes, 163.2% of the 480 KiB row (491,520 bytes, the most <c>Engagement:Storage:MaxGrainStateBytes</c>
    /// may be): 310,643 bytes over it. The redemptions add 178,242 and the campaign side 155,659 to the 487,997 once given
    /// here, which left both out (it counted 93 redemptions with GUID ids and no campaign side).
    /// </summary>
    /// <remarks>
    /// Known limit: the default caps do NOT fit one row together. A member that reaches them all at once has its writes
    /// refused by the storage's size guard (<c>GrainStateTooLargeException</c>, nothing written) and each event that would
    /// change it dead-lettered; every silo warns at startup that its bound is below this figure. Each cap alone fits; it is
    /// their sum that does not. Not counted even here: orders refunded many times each (up to
    /// <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/> ids and marks each), 128-character Chinese eventIds on every
    /// kept ledger entry, and campaign memberships beyond 100 whose campaigns are still live (those are never forgotten).
    /// Longer order ids take no more: an orderId or refund eventId whose stored JSON passes a GUID's 36 bytes is kept as a
    /// key of at most 35 (<see cref="Orders.OrderIds"/>).
    /// </remarks>
    public const int EveryCapAtOnceBytes = 802_163;
}
