namespace Engagement.Domain.Members;

/// <summary>What a member's stored state measures at its worst; MemberStateSerializationTests pins each figure to its measurement.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// UTF-8 bytes of JSON of the largest state a member writes under the default options: every cap at once (both order
    /// caps with GUID ids and a refund on each, the eventId window at its cap, 20 held refunds each keeping the most text
    /// kept (<see cref="HeldRefund.MaxSourceTextStoredBytes"/>, 1 KiB stored), 32 tags of 64 CJK
    /// characters, 50 coupons refused with 128-character CJK ids, 32 adjustment makers with such ids), its kept ledger 50
    /// negative manual adjustments with 200-character Chinese reasons naming four GUID lots, and its outbox the change
    /// that passed the outbox's byte bound (<see cref="Effects.OutboxBytes.Bound"/>): 87 such adjustments waiting for the
    /// ledger archive (37 stored whole, 66,224 bytes of outbox), and the 7 redemption records that keep lots at their worst
    /// (Points.RedemptionUndo: 16 parts each with 36-character lot ids and 10-digit points, 128-character CJK redemption ids;
    /// 19,735 bytes): 487,997, 99.3% of the 480 KiB row (3,523 bytes left; 468,262 without those records). Longer order ids take no
    /// more: an orderId or refund eventId whose stored JSON passes a GUID's 36 bytes is kept on its order as a key of at most
    /// 35 (<see cref="Orders.OrderIds"/>; at both order caps with 128-character Chinese ids, 229,031 bytes, 1,038,544 on 154b0a89).
    /// Not the most the rules allow: orders refunded many times each (up to <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/>
    /// ids and marks each), or 128-character Chinese eventIds on every kept ledger entry, are not measured here and can
    /// pass the row; such a member's writes are refused (the storage's size guard) and its events dead-lettered. A grain-state bound
    /// (Engagement:Storage:MaxGrainStateBytes) set below it is warned about when a silo starts (such a member's writes
    /// would be refused); raising a cap raises it.
    /// </summary>
    public const int EveryCapAtOnceBytes = 487_997;
}
