namespace Engagement.Domain.Members;

/// <summary>What a member's stored state measures at its worst; MemberStateSerializationTests pins each figure to its measurement.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// UTF-8 bytes of JSON of a member at every cap at once under the default options, with its outbox at its cap: both
    /// order caps with GUID ids and a refund on each, the eventId window at its cap, 20 held refunds, 32 tags of 64 CJK
    /// characters, 50 coupons refused with 128-character CJK ids, 32 adjustment makers with such ids, the kept ledger all
    /// spends naming four GUID lots, and 200 such spends waiting for the ledger archive: 410,750. A grain-state bound
    /// (Engagement:Storage:MaxGrainStateBytes) set below it is warned about when a silo starts (such a member's writes
    /// would be refused); raising a cap raises it.
    /// </summary>
    public const int EveryCapAtOnceBytes = 410_750;
}
