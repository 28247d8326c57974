namespace Engagement.Domain.Members;

/// <summary>Measured sizes of member state, for the storage bound that must hold them.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// Stored size (<see cref="StoredStateText.Characters"/>: UTF-16 characters of the JSON the grain storage writes, web
    /// defaults with Chinese unescaped, what the table provider's row limits) of the largest state a member writes under the
    /// default options with EVERY per-member collection at its cap at once and the ids it keeps by the kept-id rule at their
    /// worst (MemberStateSerializationTests.EveryCapAtOnceWithEveryCollectionAtItsCapFitsTheRowWithAMargin): both order caps
    /// with GUID ids and a refund on each, the eventId window at its cap, 20 held refunds each keeping the most text kept
    /// (<see cref="HeldRefund.MaxSourceTextStoredBytes"/>, 1 KiB stored), 32 tags of 64 characters, 50 coupons held (not
    /// redeemed) with short grant ids and the member's 20 coupon refusal notes
    /// (<see cref="Offers.Coupon.MaxRefusalsPerMember"/>) with 128-code-point redemption and store ids all outside the BMP
    /// (kept as sent, support reads them: 12 stored characters a code point, 1,536 an id, 3,072 a note), 32 adjustment makers
    /// and the 100 remembered redemptions (<see cref="Program.ProgramOptions.RecentRedemptionsKept"/>) with such redemption,
    /// store and adjustment ids, each opening with one such code point, so its key is the longest (35,
    /// <see cref="KeptIds"/>), and 64-character reward ids, the newest 7 keeping 16 lots each (Points.RedemptionUndo),
    /// 100 campaign memberships (the grains' <c>Engagement:Campaigns:MaxMembershipsKept</c>) holding the 200 attributed
    /// orders of <c>Engagement:Campaigns:MaxAttributedOrders</c>' default and the member index's copy of the tags, its kept
    /// ledger 50 negative manual adjustments with GUID adjustment ids and 200-character Chinese reasons naming four GUID lots,
    /// and its outbox the change that passed the outbox's byte bound (<see cref="Effects.OutboxBytes.Bound"/>).
    /// Measured: 440,576, 89.6% of the 480 KiB row (491,520, the most <c>Engagement:Storage:MaxGrainStateBytes</c> may be):
    /// 50,944 left, a margin of 10%. The same member with those ids of BMP Chinese (one stored character each) stores
    /// 381,936, of <c>+</c> (six) 408,856. Of what it measures, only the coupon refusal notes grow with the ids' characters.
    /// NOT the largest state ids can make: the ids named in the remarks' last paragraph are kept as sent and are not bounded
    /// by it.
    /// </summary>
    /// <remarks>
    /// A grain-state bound set below it is warned about when a silo starts (such a member's writes would be refused), computed
    /// for the configured campaign caps (<see cref="EveryCapAtOnce"/>); campaign caps a row cannot hold are refused at start
    /// (<see cref="LargestAttributedOrdersThatFit"/>, <see cref="LargestMembershipsKeptThatFit"/>: 741 attributed orders with
    /// 100 memberships, 197 memberships with 200 orders; before redemption and adjustment ids were kept as keys and measured
    /// at their worst, 879 and 222: a deployment configured between those fails at start).
    /// <para>
    /// Kept as keys of at most 35 stored characters (<see cref="KeptIds"/>) once their stored JSON passes a GUID's 36:
    /// redemption ids and their store ids (<see cref="Points.RedemptionRecord"/>, which keeps no detail: a retry rebuilds it
    /// from the id it sends), adjustment ids of kept makers (<see cref="Points.AdjustmentActors"/>), order ids and refund
    /// eventIds (<see cref="Orders.OrderIds"/>). Before that, the member above stored 427,683 with Chinese ids, 594,963 with
    /// ids of <c>+</c> and 795,699 with emoji, past the row.
    /// </para>
    /// <para>
    /// Still kept as sent, so ids CAN still make a member unwritable (its writes refused,
    /// <c>GrainStateTooLargeException</c>, nothing written, each event that would change it dead-lettered). Computed for
    /// 128-code-point ids all outside the BMP (1,536 stored characters each): the kept ledger's entries (GET
    /// /members/{memberId}/ledger shows them): an adjustment's eventId is <c>adjustment|</c> and its id as sent, so 50 kept
    /// adjustments with such ids add 75,000 to the member above (1,547 an eventId, not a GUID's 47): 515,576, 24,056 past
    /// the row; a store redemption's entry names three such ids (its eventId, the redemptionId and the storeId in its
    /// reason, 4,608 stored characters), 230,400 for 50 entries in place of the measured adjustments: past the row. A
    /// redeemed coupon (Offers, <c>CouponBook</c>) keeps its redemptionId and storeId as sent four times (its own fields,
    /// its status reason, that reason's copy in its history, its redemptions list), 12,288 stored characters a coupon:
    /// 614,400 for 50, past the row by themselves; a coupon's grant id, 76,800 for 50, past the margin. Nor counted:
    /// orders refunded many times each (up to <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/> ids and marks each).
    /// Campaign memberships are capped at the grains' <c>Engagement:Campaigns:MaxMembershipsKept</c>, live campaigns
    /// included (a member at the cap is refused by the next campaign), so they never pass the figure's 100.
    /// </para>
    /// </remarks>
    public const int EveryCapAtOnceCharacters = 440_576;

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
    /// Holds whatever characters the ids kept by <see cref="KeptIds"/> hold, as <see cref="EveryCapAtOnceCharacters"/> does (it
    /// measures them at their worst); ids kept as sent in ledger entries and redeemed coupons, and grant ids, are not
    /// counted (<see cref="EveryCapAtOnceCharacters"/>' remarks: with them at their worst a member can pass any bound).
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
