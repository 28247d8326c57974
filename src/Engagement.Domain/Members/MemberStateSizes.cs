namespace Engagement.Domain.Members;

/// <summary>Measured sizes of member state, for the storage bound that must hold them.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// Stored size (<see cref="StoredStateText.Characters"/>: UTF-16 characters of the JSON the grain storage writes, web
    /// defaults with Chinese unescaped, what the table provider's row limits) of the largest state a member writes under the
    /// default options with EVERY per-member collection at its cap at once (MemberStateSerializationTests
    /// .EveryCapAtOnceWithEveryCollectionAtItsCapFitsTheRowWithAMargin): both order caps with GUID ids and a refund on each,
    /// the eventId window at its cap, 20 held refunds each keeping the most text kept
    /// (<see cref="HeldRefund.MaxSourceTextStoredBytes"/>, 1 KiB stored), 32 tags of 64 characters, 50 coupons refused with
    /// 128-character CJK ids, 32 adjustment makers with such ids, the 100 remembered redemptions
    /// (<see cref="Program.ProgramOptions.RecentRedemptionsKept"/>) each with a 128-character CJK id (stored twice: as the id
    /// and in its detail), 64-character reward and store ids, the newest 7 keeping 16 lots each (Points.RedemptionUndo), 100
    /// campaign memberships (the grains' <c>Engagement:Campaigns:MaxMembershipsKept</c>) holding the 200 attributed orders of
    /// <c>Engagement:Campaigns:MaxAttributedOrders</c>' default and the member index's copy of the tags, its kept ledger 50
    /// negative manual adjustments with 200-character Chinese reasons naming four GUID lots, and its outbox the change that
    /// passed the outbox's byte bound (<see cref="Effects.OutboxBytes.Bound"/>).
    /// Measured: 427,683, 87.0% of the 480 KiB row (491,520, the most <c>Engagement:Storage:MaxGrainStateBytes</c> may be):
    /// 63,837 left, a margin of 13%. Its UTF-8 is 547,715 bytes (the provider takes up to
    /// <see cref="StoredStateText.ProviderByteCapacity"/>); written with every Chinese character escaped, as before
    /// <see cref="StoredStateText.Encoder"/>, it was 727,763 bytes, and 802,163 with the old default of 1,000 attributed
    /// orders (502,083 stored unescaped: still over the row, why that default went to 200).
    /// </summary>
    /// <remarks>
    /// A grain-state bound set below this is warned about when a silo starts (such a member's writes would be refused);
    /// raising a cap raises it (<c>MaxAttributedOrders</c> up to its limit of 2,000 passes the row again). Not counted even
    /// here: orders refunded many times each (up to <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/> ids and marks
    /// each), 128-character Chinese eventIds on every kept ledger entry, campaign memberships beyond 100 whose campaigns
    /// are still live (those are never forgotten), and ids of emoji or of characters JSON escapes for HTML (<c>+ &amp; &lt; &gt;</c>
    /// and quotes: 12 and 6 stored characters each, where this figure's Chinese takes 1; 100 redemption ids of
    /// 128 <c>+</c> each take the member to about 550,700, past the row: docs/rules.md "Touch governance"); a member past the row that way has its writes refused
    /// (<c>GrainStateTooLargeException</c>, nothing written) and each event that would change it dead-lettered. Longer
    /// order ids take no more: an orderId or refund eventId whose stored JSON passes a GUID's 36 bytes is kept as a key of
    /// at most 35 (<see cref="Orders.OrderIds"/>).
    /// </remarks>
    public const int EveryCapAtOnceBytes = 427_683;
}
