namespace Engagement.Domain.Members;

/// <summary>Measured sizes of member state, for the storage bound that must hold them.</summary>
public static class MemberStateSizes
{
    /// <summary>
    /// Stored size (<see cref="StoredStateText.Characters"/>: UTF-16 characters of the JSON the grain storage writes, web
    /// defaults with Chinese unescaped, what the table provider's row limits) of the largest state a member writes under the
    /// default options with EVERY per-member collection at its cap at once and every id a client sends that it keeps made of
    /// the characters the stored text takes most for (MemberStateSerializationTests
    /// .EveryCapAtOnceWithEveryCollectionAtItsCapFitsTheRowWithAMargin): both order caps with GUID ids and a refund on each,
    /// the eventId window at its cap, 20 held refunds each keeping the most text kept
    /// (<see cref="HeldRefund.MaxSourceTextStoredBytes"/>, 1 KiB stored), 32 tags of 64 characters, 50 coupons and the member's
    /// 20 coupon refusal notes (<see cref="Offers.Coupon.MaxRefusalsPerMember"/>) with 128-code-point redemption and store
    /// ids of emoji (kept as sent, support reads them: 12 stored characters a code point, 3,072 a note), 32 adjustment makers
    /// with such ids, the 100 remembered redemptions (<see cref="Program.ProgramOptions.RecentRedemptionsKept"/>) each with
    /// such redemption and store ids and 64-character reward ids, the newest 7 keeping 16 lots each (Points.RedemptionUndo),
    /// 100 campaign memberships (the grains' <c>Engagement:Campaigns:MaxMembershipsKept</c>) holding the 200 attributed
    /// orders of <c>Engagement:Campaigns:MaxAttributedOrders</c>' default and the member index's copy of the tags, its kept
    /// ledger 50 negative manual adjustments with 200-character Chinese reasons naming four GUID lots, and its outbox the
    /// change that passed the outbox's byte bound (<see cref="Effects.OutboxBytes.Bound"/>).
    /// Measured: 435,824, 88.7% of the 480 KiB row (491,520, the most <c>Engagement:Storage:MaxGrainStateBytes</c> may be):
    /// 55,696 left, a margin of 11%. The same member with those ids of BMP Chinese (one stored character each) stores
    /// 381,936, of <c>+</c> (six) 407,696: only the coupon refusal notes still grow with the ids' characters.
    /// </summary>
    /// <remarks>
    /// A grain-state bound set below it is warned about when a silo starts (such a member's writes would be refused), computed
    /// for the configured campaign caps (<see cref="EveryCapAtOnce"/>); campaign caps a row cannot hold are refused at start
    /// (<see cref="LargestAttributedOrdersThatFit"/>, <see cref="LargestMembershipsKeptThatFit"/>: 792 attributed orders with
    /// 100 memberships, 207 memberships with 200 orders).
    /// <para>
    /// Ids no longer make a member unwritable (docs/rules.md "Touch governance"): redemption ids and their store ids
    /// (<see cref="Points.RedemptionRecord"/>), adjustment ids of kept makers (<see cref="Points.AdjustmentActors"/>), order ids
    /// and refund eventIds (<see cref="Orders.OrderIds"/>) whose stored JSON passes a GUID's 36 characters are kept as keys
    /// of at most 35 (<see cref="KeptIds"/>), and a redemption record keeps no detail (a retry rebuilds it from the id it
    /// sends). Before that, the member above stored 427,683 with Chinese ids, 594,963 with ids of <c>+</c> and 795,699 with
    /// emoji, past the row: its writes were refused (<c>GrainStateTooLargeException</c>, nothing written) and each event
    /// that would change it dead-lettered.
    /// </para>
    /// <para>
    /// Not counted even here: orders refunded many times each (up to <see cref="Program.ProgramOptions.MaxRefundsPerOrder"/>
    /// ids and marks each), campaign memberships beyond the cap whose campaigns are still live (those are never forgotten),
    /// and the ids every kept ledger entry carries as sent: its eventId (128 code points) and, for a redemption, the
    /// redemptionId and store in its reason (<c>redemption {redemptionId} of ...</c>; GET /members/{memberId}/ledger shows
    /// them): 50 kept redemption entries each naming a 128-emoji id twice hold 153,600 stored characters of ids in place of
    /// the adjustments measured above, past the margin.
    /// </para>
    /// </remarks>
    public const int EveryCapAtOnceCharacters = 435_824;

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
    /// Holds whatever characters the kept ids hold, as <see cref="EveryCapAtOnceCharacters"/> does (it measures them at their
    /// worst); ledger entries' ids are not counted (its remarks).
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
