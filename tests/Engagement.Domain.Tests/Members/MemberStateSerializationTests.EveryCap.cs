using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Points;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// The every-cap member with ALL its capped collections at once (MemberStateSizes.EveryCapAtOnceCharacters): what the older
/// measure above left out, the campaign side (memberships and attributed orders at their caps, the index's copy of the
/// tags) and every remembered redemption at its worst, on top of the member it measured.
/// </summary>
public partial class MemberStateSerializationTests
{
    /// <summary>CampaignOptions.MaxMembershipsKept's default (the grains' option, which this project cannot reference).</summary>
    private const int MembershipsKept = MemberStateSizes.DefaultMaxMembershipsKept;

    [Fact]
    public void EveryCapAtOnceWithEveryCollectionAtItsCapFitsTheRowWithAMargin()
    {
        // The member EveryCapAtOnceCharacters measured before (LongAdjustmentReasons… above: both order caps, the eventId window,
        // held refunds, tags, coupons, refusal notes, makers, the kept ledger and the outbox filled to its byte bound), plus
        // every remembered redemption at its worst (not 93 with GUID ids beside the 7 that keep lots) and the campaign side
        // at its caps (100 memberships, the attributed orders, the index's copy of the tags), measured as the storage
        // bounds it: characters of the JSON it writes (StoredStateText: Chinese as itself, one character, not a
        // six-character escape). The older measure, UTF-8 bytes of escaped JSON, is kept beside it for the record.
        // Its redemption, coupon redemption, store and adjustment ids are 128 code points outside the BMP each, what the
        // stored text takes most for (12 characters a code point), opening with one so that their keys are the longest (35):
        // the figure holds whatever characters those ids hold (TheEveryCapMemberWithWorstCaseIdCharacters). Not counted: ids
        // kept as sent in ledger entries and redeemed coupons, and grant ids (MemberStateSizes' remarks: with them at their
        // worst a member passes the row).
        var member = EveryCapMember(DefaultMaxAttributedOrders, MembershipsKept, out var redemptions, out var campaigns, out var attributedOrders, WorstIdCharacter);
        var written = LargestWriteAsTheOutboxFills(member);
        var escapedBytes = Size(member.State);
        var utf8 = StoredUtf8(member.State);

        // Measured: 440,576 characters stored, 89.6% of the 480 KiB row (491,520), 50,944 left; its UTF-8 is 493,696 bytes
        // (the provider takes up to 983,040) and with every Chinese character escaped as before 573,376 bytes. Of it the 100
        // redemptions add 23,391 (their ids kept as keys, no detail; 55,242 with Chinese ids as sent and their details), the
        // campaign side 71,659, its 200 attributed orders 19,700 of that. Before ids were kept as keys this member stored
        // 795,699 (TheEveryCapMemberWithWorstCaseIdCharacters).
        Assert.Equal((23_391, 71_659, 19_700, 440_576, 493_696, 573_376), (redemptions, campaigns, attributedOrders, written, utf8, escapedBytes));
        Assert.Equal(MemberStateSizes.EveryCapAtOnceCharacters, written);
        Assert.True(written <= MaxGrainStateBytes * 90 / 100, $"the every-cap member is {written} stored, over 90% of the {MaxGrainStateBytes} row");
        Assert.True(utf8 <= StoredStateText.ProviderByteCapacity, $"{utf8} UTF-8 bytes, over the provider's {StoredStateText.ProviderByteCapacity}");
    }

    [Theory]
    [InlineData(200, 100)]
    [InlineData(201, 100)]
    [InlineData(880, 100)]
    [InlineData(2000, 100)]
    [InlineData(200, 101)]
    [InlineData(200, 228)]
    [InlineData(400, 400)]
    [InlineData(2000, 2000)]
    public void EveryCapAtConfiguredCapsIsBoundedByTheFormulaTheSiloChecks(int attributed, int memberships)
    {
        // What the startup check and the campaign options' validation compute (MemberStateSizes.EveryCapAtOnce) is never
        // less than the member measured at those caps, and not far above it (a wrong per-unit figure fails here).
        var member = EveryCapMember(attributed, memberships, out _, out _, out _, WorstIdCharacter);
        var written = LargestWriteAsTheOutboxFills(member);
        var bound = MemberStateSizes.EveryCapAtOnce(attributed, memberships);

        Assert.True(written <= bound, $"{attributed} orders, {memberships} memberships: measured {written}, over the computed {bound}");
        var slack = 1_000 + ((attributed - DefaultMaxAttributedOrders) * 2) + ((memberships - MembershipsKept) * 12);
        Assert.True(bound - written <= slack, $"{attributed} orders, {memberships} memberships: computed {bound}, {bound - written} over the measured {written}");
    }

    [Fact]
    public void TheLargestCampaignCapsThatFitDoFitAndOneMoreWouldNot()
    {
        var orders = MemberStateSizes.LargestAttributedOrdersThatFit(MembershipsKept);
        var memberships = MemberStateSizes.LargestMembershipsKeptThatFit(DefaultMaxAttributedOrders);

        // Measured: 741 attributed orders with 100 memberships, 197 memberships with 200 orders (kept ids at their worst,
        // WorstIdCharacter).
        Assert.Equal((741, 197), (orders, memberships));
        Assert.True(LargestWriteAsTheOutboxFills(EveryCapMember(orders, MembershipsKept, out _, out _, out _, WorstIdCharacter)) <= MaxGrainStateBytes);
        Assert.True(LargestWriteAsTheOutboxFills(EveryCapMember(DefaultMaxAttributedOrders, memberships, out _, out _, out _, WorstIdCharacter)) <= MaxGrainStateBytes);
        Assert.True(MemberStateSizes.EveryCapAtOnce(orders + 1, MembershipsKept) > MaxGrainStateBytes);
        Assert.True(MemberStateSizes.EveryCapAtOnce(DefaultMaxAttributedOrders, memberships + 1) > MaxGrainStateBytes);
        Assert.Equal(0, MemberStateSizes.LargestAttributedOrdersThatFit(MembershipsKept, MemberStateSizes.EveryCapAtOnceCharacters - 1));
    }

    [Theory]
    [InlineData("兑", 381_936)] // Chinese ids, one stored character each (427,683 before ids were kept as keys)
    [InlineData("+", 408_856)] // + & < > ' " : six each (\u002B); 594,963 before
    [InlineData("😀", 440_576)] // outside the BMP: twelve each (a surrogate pair, both escaped): the figure above; 795,699 before
    public void TheEveryCapMemberWithWorstCaseIdCharacters(string filler, int expected)
    {
        // The every-cap member whose 128-code-point ids (redemption ids and their store ids, coupon redemption ids and the
        // store ids their refusal notes keep, adjustment ids) are made of characters the stored text escapes, built
        // through the rules that keep them: redemption and adjustment ids are kept as bounded keys (KeptIds), the coupon
        // refusal notes keep theirs as sent (support reads them) and are what still grows with the alphabet here. It fits
        // the row with a margin whatever those ids hold; ids kept as sent elsewhere (ledger entries, redeemed coupons, grant
        // ids) are not in it and can still pass the row (MemberStateSizes' remarks).
        var member = EveryCapMember(DefaultMaxAttributedOrders, MembershipsKept, out _, out _, out _, filler);
        var written = LargestWriteAsTheOutboxFills(member);

        var notes = Domain.Offers.MemberCoupons.Book(member.State).Coupons.SelectMany(c => c.Refusals ?? []).ToList();
        Assert.Equal(Domain.Offers.Coupon.MaxRefusalsPerMember, notes.Count);
        Assert.All(notes, n => Assert.Equal((128, 128), (CodePoints(n.RedemptionId), CodePoints(n.StoreId!)))); // as sent
        Assert.All(member.State.Redemptions, r => Assert.True(KeptIds.StoredBytesAtMost(r.RedemptionId) <= KeptIds.MaxKeptBytes, r.RedemptionId));
        Assert.All(member.State.AdjustmentActors!, a => Assert.True(KeptIds.StoredBytesAtMost(a.AdjustmentId) <= KeptIds.MaxKeptBytes, a.AdjustmentId));
        Assert.Equal(expected, written);
        Assert.True(written <= MaxGrainStateBytes * 95 / 100, $"the every-cap member with ids of {filler} is {written} stored, over 95% of the {MaxGrainStateBytes} row");
        Assert.True(written <= MemberStateSizes.EveryCapAtOnceCharacters, $"{written} stored, over the {MemberStateSizes.EveryCapAtOnceCharacters} the silo's check assumes");
    }

    [Fact]
    public void TheOldAttributedOrderCapWouldPassTheRowWithEveryOtherCapFull()
    {
        // Why MaxAttributedOrders' default went from 1,000 to 200: with 1,000 (its limit is 2,000) the every-cap member
        // passes the row even stored unescaped: with its ids at their worst (WorstIdCharacter) 514,976 characters, 23,456
        // over (647,776 bytes escaped). (With Chinese ids, as first measured before ids were kept as keys, 502,083.)
        var member = EveryCapMember(OldDefaultMaxAttributedOrders, MembershipsKept, out _, out _, out _, WorstIdCharacter);
        var written = LargestWriteAsTheOutboxFills(member);

        Assert.Equal((514_976, 647_776), (written, Size(member.State)));
        Assert.True(written > MaxGrainStateBytes, "the old default fits the row: MaxAttributedOrders could go back up");
    }

    private static int CodePoints(string text) => text.EnumerateRunes().Count();

    /// <summary>
    /// The id character the stored text takes most for: one outside the BMP, a surrogate pair written as two six-character
    /// escapes (StoredStateText.Encoder), 12 stored characters a code point.
    /// </summary>
    private const string WorstIdCharacter = "😀";

    /// <summary>CampaignOptions.MaxAttributedOrders's default before it went to 200.</summary>
    private const int OldDefaultMaxAttributedOrders = 1000;

    /// <summary>
    /// The member at every cap at once with <paramref name="attributed"/> attributed orders (its outbox not yet filled:
    /// <see cref="LargestWriteAsTheOutboxFills"/>), and what the redemptions, the campaign side and its attributed orders
    /// add to it, stored characters.
    /// </summary>
    private static TestMember EveryCapMember(int attributed, out int redemptions, out int campaigns, out int attributedOrders) =>
        EveryCapMember(attributed, MembershipsKept, out redemptions, out campaigns, out attributedOrders);

    /// <summary>As above, with <paramref name="memberships"/> campaign memberships.</summary>
    private static TestMember EveryCapMember(int attributed, int memberships, out int redemptions, out int campaigns, out int attributedOrders, string filler = "兑")
    {
        var member = AtBothOrderCaps();
        WithHeldRefundsAndTags(member);
        WithEveryCouponNoteAndMaker(member, out _, out _, filler);
        var before = Stored(member.State);
        WithEveryRedemptionAtItsWorst(member, filler);
        redemptions = Stored(member.State) - before;
        var withRedemptions = Stored(member.State);
        WithCampaignsAtTheirCaps(member, attributed, memberships);
        campaigns = Stored(member.State) - withRedemptions;
        attributedOrders = campaigns - Stored(WithoutAttributedOrders(member.State)) + withRedemptions;
        return member;
    }

    /// <summary>CampaignOptions.MaxAttributedOrders's default (the grains' option, which this project cannot reference).</summary>
    private const int DefaultMaxAttributedOrders = MemberStateSizes.DefaultMaxAttributedOrders;

    /// <summary>A copy of <paramref name="state"/> (through its JSON) with no attributed orders.</summary>
    private static MemberState WithoutAttributedOrders(MemberState state)
    {
        var copy = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;
        copy.Campaigns.Memberships.ForEach(m => m.Orders = null);
        return copy;
    }

    /// <summary>
    /// Replaces the member's remembered redemptions with <see cref="Domain.Program.ProgramOptions.RecentRedemptionsKept"/>
    /// accepted catalogue redemptions at their worst: 128-code-point redemption and store ids of <paramref name="filler"/>
    /// kept as the policy keeps them (KeptIds: as sent up to a GUID's stored 36 bytes, else a key of at most 35), 64-character
    /// reward ids, 9-digit points, the most cash, no detail (a retry rebuilds it); the newest 7 keep 16 lots each (<see cref="WithRedemptionsKeepingLots"/>), the older ones' lots are forgotten (RedemptionUndo.ForgetOldLots).
    /// </summary>
    private static void WithEveryRedemptionAtItsWorst(TestMember member, string filler = "兑")
    {
        const int withLots = RedemptionUndo.MaxRedemptionsWithLots + RedemptionUndo.MaxMovedOnlyRedemptionsWithLots;
        var reward = new string('k', 64);

        // What the policy keeps of such a redemption, taken from a real one: its ids as kept (KeptIds), no detail.
        var scratch = new TestMember(member.Now);
        Assert.Equal(EventStatus.Applied, scratch.Purchase("O-scratch", 100m).Status);
        var real = RedemptionPolicy.Redeem(scratch.State, FilledId('R', 0, filler), 1, 999_999.99m, reward, scratch.Options, scratch.Now, storeId: FilledId('S', 0, filler));
        Assert.Equal(RedemptionStatuses.Accepted, real.Status);
        var template = scratch.State.Redemptions[^1];
        Assert.Equal((KeptIds.Key(FilledId('R', 0, filler)), KeptIds.Key(FilledId('S', 0, filler)), (string?)null), (template.RedemptionId, template.StoreId, template.Detail));

        member.State.Redemptions.Clear();
        for (var r = 0; r < member.Options.RecentRedemptionsKept - withLots; r++)
        {
            member.State.Redemptions.Add(new RedemptionRecord
            {
                RedemptionId = KeptIds.Key(FilledId('R', 100 + r, filler)),
                Status = RedemptionStatuses.Accepted,
                Points = 99_999_900 + r,
                CashAmount = 999_999.99m,
                RewardId = reward,
                StoreId = KeptIds.Key(FilledId('S', 100 + r, filler)),
                PointsValue = 999_999.99m,
                At = member.Now.AddTicks(1_234_567).AddMinutes(-1_000 + r),
            });
        }

        WithRedemptionsKeepingLots(member, filler);
        foreach (var record in member.State.Redemptions.TakeLast(withLots))
        {
            record.CashAmount = 999_999.99m;
            record.StoreId = KeptIds.Key(FilledId('S', member.State.Redemptions.IndexOf(record), filler));
        }

        Assert.Equal(member.Options.RecentRedemptionsKept, member.State.Redemptions.Count);
    }

    /// <summary>
    /// Gives the member <paramref name="memberships"/> campaign memberships with 64-character ids, and
    /// <paramref name="attributed"/> attributed orders over them: orders the member keeps (GUIDs, the longest kept as
    /// sent), each counted by two memberships, the most CNY, refunded but for a fen; and the index's copy of its
    /// attributes (its tags, sorted). Pruning them as the grain does drops none: the rules let a member keep all of it.
    /// </summary>
    private static void WithCampaignsAtTheirCaps(TestMember member, int attributed, int memberships)
    {
        var kept = member.State.Orders.Select(o => o.OrderId).Concat(member.State.OrderSummaries.Select(o => o.OrderId)).ToList();
        var perMembership = (attributed + memberships - 1) / memberships;
        var given = 0;
        for (var m = 0; m < memberships; m++)
        {
            var suffix = m.ToString("D4", CultureInfo.InvariantCulture);
            var membership = new CampaignMembership
            {
                CampaignId = new string('c', 60) + suffix,
                Group = "global_control",
                Arm = new string('a', 60) + suffix,
                Outcome = "suppressed",
                ReportedOutcome = "suppressed",
                TouchId = new string('t', 60) + suffix,
                AssignedAt = member.Now.AddTicks(1_234_567),
                AttributionWindowDays = 3650,
                ValidUntil = member.Now.AddDays(3650).AddTicks(1_234_567),
                Converted = true,
                Revenue = 99_999_999.99m,
            };
            for (var i = 0; i < perMembership && given < attributed; i++, given++)
            {
                (membership.Orders ??= []).Add(new AttributedOrder { OrderId = kept[given % kept.Count], Amount = 9_999_999.99m, Refunded = 9_999_999.98m });
            }

            member.State.Campaigns.Memberships.Add(membership);
        }

        member.State.Campaigns.Indexed = MemberAttributesReader.Read(member.State, member.Options, member.Now);
        Assert.Equal((0, 0), CampaignMemberships.PruneAttributedOrders(member.State, attributed));
        Assert.Equal(attributed, member.State.Campaigns.Memberships.Sum(m => m.Orders?.Count ?? 0));
    }

    /// <summary>
    /// Fills the member's outbox with the longest negative adjustments waiting for the ledger archive (the kept ledger's
    /// newest 50 stored by sequence) until it passes the outbox's byte bound: the write of that change is the largest the
    /// member makes (the next change emits first). Returns its stored size, characters of the JSON the storage writes.
    /// </summary>
    private static int LargestWriteAsTheOutboxFills(TestMember member)
    {
        var adjustments = AdjustmentsNamingFourLots(OutboxEmitFirstAbove, member.Now);
        for (var waiting = 1; waiting <= adjustments.Count; waiting++)
        {
            Waiting(member.State, adjustments.Take(waiting).ToList(), member.Options.LedgerEntriesKept);
            if (Domain.Members.Effects.OutboxBytes.PastBound(member.State))
            {
                return Stored(member.State);
            }
        }

        throw new InvalidOperationException("the outbox never passed its byte bound");
    }
}
