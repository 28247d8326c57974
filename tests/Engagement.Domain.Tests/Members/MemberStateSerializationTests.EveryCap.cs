using System.Globalization;
using System.Text;
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
        var member = EveryCapMember(DefaultMaxAttributedOrders, out var redemptions, out var campaigns, out var attributedOrders);
        var written = LargestWriteAsTheOutboxFills(member);
        var escapedBytes = Size(member.State);
        var utf8 = StoredUtf8(member.State);

        // Measured: 427,683 characters stored, 87.0% of the 480 KiB row (491,520), 63,837 left; its UTF-8 is 547,715 bytes
        // (the provider takes up to 983,040) and with every Chinese character escaped as before 727,763 bytes. Of it the 100
        // redemptions add 55,242 (178,242 escaped), the campaign side 71,659, its 200 attributed orders 19,700 of that.
        Assert.Equal((55_242, 71_659, 19_700), (redemptions, campaigns, attributedOrders));
        Assert.Equal((427_683, 547_715, 727_763), (written, utf8, escapedBytes));
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
        var member = EveryCapMember(attributed, memberships, out _, out _, out _);
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

        // Measured: about 880 attributed orders with 100 memberships, about 220 memberships with 200 orders.
        Assert.InRange(orders, 850, 900);
        Assert.InRange(memberships, 200, 240);
        Assert.True(LargestWriteAsTheOutboxFills(EveryCapMember(orders, MembershipsKept, out _, out _, out _)) <= MaxGrainStateBytes);
        Assert.True(LargestWriteAsTheOutboxFills(EveryCapMember(DefaultMaxAttributedOrders, memberships, out _, out _, out _)) <= MaxGrainStateBytes);
        Assert.True(MemberStateSizes.EveryCapAtOnce(orders + 1, MembershipsKept) > MaxGrainStateBytes);
        Assert.True(MemberStateSizes.EveryCapAtOnce(DefaultMaxAttributedOrders, memberships + 1) > MaxGrainStateBytes);
        Assert.Equal(0, MemberStateSizes.LargestAttributedOrdersThatFit(MembershipsKept, MemberStateSizes.EveryCapAtOnceCharacters - 1));
    }

    [Theory]
    [InlineData("兑", 427_683)] // as measured above: Chinese ids, one stored character each
    [InlineData("+", 594_963)] // + & < > ' " : six each (\u002B)
    [InlineData("😀", 795_699)] // outside the BMP: twelve each (a surrogate pair, both escaped)
    public void TheEveryCapMemberWithWorstCaseIdCharacters(string filler, int expected)
    {
        // The every-cap member whose 128-code-point ids (redemption, coupon redemption, store and adjustment ids) are made
        // of characters the stored text escapes, as the member keeps them today: what it measures pins which stored ids
        // are not bounded by their stored size (MemberStateSizes' remarks; the order ids are, OrderIds).
        var member = EveryCapMember(DefaultMaxAttributedOrders, out _, out _, out _);
        LargestWriteAsTheOutboxFills(member);
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(member.State, Storage)).Replace("兑", filler, StringComparison.Ordinal);
        var worst = JsonSerializer.Deserialize<MemberState>(json, Storage)!;

        Assert.Equal(expected, Stored(worst));
    }

    [Fact]
    public void TheOldAttributedOrderCapWouldPassTheRowWithEveryOtherCapFull()
    {
        // Why MaxAttributedOrders' default went from 1,000 to 200: with 1,000 (its limit is 2,000) the every-cap member
        // passes the row even stored unescaped: 502,083 characters, 10,563 over (802,163 bytes escaped).
        var member = EveryCapMember(OldDefaultMaxAttributedOrders, out _, out _, out _);
        var written = LargestWriteAsTheOutboxFills(member);

        Assert.Equal((502_083, 802_163), (written, Size(member.State)));
        Assert.True(written > MaxGrainStateBytes, "the old default fits the row: MaxAttributedOrders could go back up");
    }

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
    private static TestMember EveryCapMember(int attributed, int memberships, out int redemptions, out int campaigns, out int attributedOrders)
    {
        var member = AtBothOrderCaps();
        WithHeldRefundsAndTags(member);
        WithEveryCouponNoteAndMaker(member, out _, out _);
        var before = Stored(member.State);
        WithEveryRedemptionAtItsWorst(member);
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
    /// accepted catalogue redemptions at their worst: 128-character CJK redemption ids (6 bytes each escaped), 64-character
    /// reward and store ids, 9-digit points, the most cash, the detail the policy writes (the id again); the newest 7 keep
    /// 16 lots each (<see cref="WithRedemptionsKeepingLots"/>), the older ones' lots are forgotten (RedemptionUndo.ForgetOldLots).
    /// </summary>
    private static void WithEveryRedemptionAtItsWorst(TestMember member)
    {
        const int withLots = RedemptionUndo.MaxRedemptionsWithLots + RedemptionUndo.MaxMovedOnlyRedemptionsWithLots;
        var reward = new string('k', 64);
        var store = new string('s', 64);

        // The detail the policy writes for such a redemption, taken from a real one.
        var scratch = new TestMember(member.Now);
        Assert.Equal(EventStatus.Applied, scratch.Purchase("O-scratch", 100m).Status);
        var real = RedemptionPolicy.Redeem(scratch.State, Points.RedemptionUndoSizeTests.CjkId('R', 0), 1, 999_999.99m, reward, scratch.Options, scratch.Now, storeId: store);
        Assert.Equal(RedemptionStatuses.Accepted, real.Status);
        var template = scratch.State.Redemptions[^1];

        member.State.Redemptions.Clear();
        for (var r = 0; r < member.Options.RecentRedemptionsKept - withLots; r++)
        {
            var id = Points.RedemptionUndoSizeTests.CjkId('R', 100 + r);
            member.State.Redemptions.Add(new RedemptionRecord
            {
                RedemptionId = id,
                Status = RedemptionStatuses.Accepted,
                Points = 99_999_900 + r,
                CashAmount = 999_999.99m,
                RewardId = reward,
                StoreId = store,
                PointsValue = 999_999.99m,
                Detail = template.Detail!.Replace(template.RedemptionId, id, StringComparison.Ordinal).Replace(" 1 points", $" {99_999_900 + r} points", StringComparison.Ordinal),
                At = member.Now.AddTicks(1_234_567).AddMinutes(-1_000 + r),
            });
        }

        WithRedemptionsKeepingLots(member);
        foreach (var record in member.State.Redemptions.TakeLast(withLots))
        {
            record.CashAmount = 999_999.99m;
            record.StoreId = store;
            record.Detail = template.Detail!.Replace(template.RedemptionId, record.RedemptionId, StringComparison.Ordinal);
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
