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
    /// A grain-state bound set below it is warned about when a silo starts (such a member's writes would be refused), computed
    /// for the configured campaign caps (<see cref="EveryCapAtOnce"/>); campaign caps a row cannot hold are refused at start
    /// (<see cref="LargestAttributedOrdersThatFit"/>, <see cref="LargestMembershipsKeptThatFit"/>: 879 attributed orders with
    /// 100 memberships, 222 memberships with 200 orders). Not counted even here: orders refunded many times each (up to
    /// <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/> ids and marks each), 128-character Chinese eventIds on every
    /// kept ledger entry, campaign memberships beyond the cap whose campaigns are still live (those are never forgotten), and
    /// ids of characters the stored-state encoder escapes (<see cref="StoredStateText.Encoder"/>): emoji and other characters
    /// outside the BMP such as CJK Extension B's 𠮷 take 12 stored characters a code point, <c>+ &amp; &lt; &gt;</c>, quotes,
    /// private-use, unassigned and format characters (U+E000, U+FEFF, U+2028) 6, where this figure's BMP Chinese takes 1. Measured (MemberStateSerializationTests
    /// .TheEveryCapMemberWithWorstCaseIdCharacters), this member with its 128-code-point redemption, coupon-redemption,
    /// store and adjustment ids made of <c>+</c> stores 594,963 characters, and of emoji 795,699: past the row (docs/rules.md "Touch
    /// governance"); a member past the row that way has its writes refused (<c>GrainStateTooLargeException</c>, nothing
    /// written) and each event that would change it dead-lettered. Longer order ids take no more: an orderId or refund
    /// eventId whose stored JSON passes a GUID's 36 characters is kept as a key of at most 35 (<see cref="Orders.OrderIds"/>).
    /// </remarks>
    public const int EveryCapAtOnceCharacters = 427_683;

    /// <summary>The grains' <c>Engagement:Campaigns:MaxAttributedOrders</c> default, which <see cref="EveryCapAtOnceCharacters"/> assumes: 200.</summary>
    public const int DefaultMaxAttributedOrders = 200;

    /// <summary>The grains' <c>Engagement:Campaigns:MaxMembershipsKept</c> default, which <see cref="EveryCapAtOnceCharacters"/> assumes: 100.</summary>
    public const int DefaultMaxMembershipsKept = 100;

    /// <summary>
    /// The most stored characters one attributed order beyond <see cref="DefaultMaxAttributedOrders"/> adds to the
    /// every-cap member: its order id as kept (at most a GUID's 36, <see cref="Orders.OrderIds"/>) and the most CNY in both
    /// amounts (MemberStateSerializationTests.EveryCapAtConfiguredCapsIsBoundedByTheFormulaTheSiloChecks checks it).
    /// </summary>
    public const int AttributedOrderCharacters = 94;

    /// <summary>
    /// The most stored characters one campaign membership beyond <see cref="DefaultMaxMembershipsKept"/> adds to the
    /// every-cap member: 64-character campaign, arm and touch ids, its dates and revenue, and an attributed-orders list of
    /// its own (MemberStateSerializationTests.EveryCapAtConfiguredCapsIsBoundedByTheFormulaTheSiloChecks checks it).
    /// </summary>
    public const int MembershipCharacters = 520;

    /// <summary>
    /// An upper bound on the stored size (characters, as <see cref="EveryCapAtOnceCharacters"/>) of the every-cap member
    /// when the campaign caps are configured as given and every other cap is at its default: the measured figure plus
    /// <see cref="AttributedOrderCharacters"/> for each attributed order and <see cref="MembershipCharacters"/> for each
    /// membership above the defaults (caps below their defaults are counted at the defaults: never an underestimate).
    /// Assumes ids of letters, digits or BMP Chinese (one stored character each), as <see cref="EveryCapAtOnceCharacters"/> does.
    /// </summary>
    /// <param name="maxAttributedOrders">The configured <c>Engagement:Campaigns:MaxAttributedOrders</c>.</param>
    /// <param name="maxMembershipsKept">The configured <c>Engagement:Campaigns:MaxMembershipsKept</c>.</param>
    public static long EveryCapAtOnce(int maxAttributedOrders, int maxMembershipsKept) =>
        EveryCapAtOnceCharacters
        + ((long)Math.Max(0, maxAttributedOrders - DefaultMaxAttributedOrders) * AttributedOrderCharacters)
        + ((long)Math.Max(0, maxMembershipsKept - DefaultMaxMembershipsKept) * MembershipCharacters);

    /// <summary>
    /// The largest <c>Engagement:Campaigns:MaxAttributedOrders</c> with which the every-cap member
    /// (<see cref="EveryCapAtOnce"/>) still fits <paramref name="rowCharacters"/> stored characters, with
    /// <paramref name="maxMembershipsKept"/> memberships; 0 when even the default does not fit.
    /// </summary>
    /// <param name="maxMembershipsKept">The configured <c>Engagement:Campaigns:MaxMembershipsKept</c>.</param>
    /// <param name="rowCharacters">The bound, stored characters: by default the provider's row, <see cref="StoredStateText.ProviderCharacterCapacity"/>.</param>
    public static int LargestAttributedOrdersThatFit(int maxMembershipsKept, int rowCharacters = StoredStateText.ProviderCharacterCapacity)
    {
        var room = rowCharacters - EveryCapAtOnce(DefaultMaxAttributedOrders, maxMembershipsKept);
        return room < 0 ? 0 : (int)Math.Min(int.MaxValue, DefaultMaxAttributedOrders + (room / AttributedOrderCharacters));
    }

    /// <summary>
    /// The largest <c>Engagement:Campaigns:MaxMembershipsKept</c> with which the every-cap member
    /// (<see cref="EveryCapAtOnce"/>) still fits <paramref name="rowCharacters"/> stored characters, with
    /// <paramref name="maxAttributedOrders"/> attributed orders; 0 when even the default does not fit.
    /// </summary>
    /// <param name="maxAttributedOrders">The configured <c>Engagement:Campaigns:MaxAttributedOrders</c>.</param>
    /// <param name="rowCharacters">The bound, stored characters: by default the provider's row, <see cref="StoredStateText.ProviderCharacterCapacity"/>.</param>
    public static int LargestMembershipsKeptThatFit(int maxAttributedOrders, int rowCharacters = StoredStateText.ProviderCharacterCapacity)
    {
        var room = rowCharacters - EveryCapAtOnce(maxAttributedOrders, DefaultMaxMembershipsKept);
        return room < 0 ? 0 : (int)Math.Min(int.MaxValue, DefaultMaxMembershipsKept + (room / MembershipCharacters));
    }
}
