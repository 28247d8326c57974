using System.Text;
using System.Text.Json;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Testing;

namespace Engagement.Azure.Tests.Storage;

/// <summary>
/// The largest member state the row holds goes through the official table provider behind the engine's guard and reads
/// back whole, on Azurite: a Chinese-heavy one just under the bound counted as the provider limits it (characters of the
/// JSON it stores, Chinese unescaped: StoredStateText), far over it in UTF-8 bytes, and one of the every-cap member's size
/// (<see cref="MemberStateSizes.EveryCapAtOnceCharacters"/>, every collection at its default cap at once); one over the bound is
/// refused before anything is written.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class LargestMemberStateTests(StorageSiloFixture silo)
{
    [Fact]
    public async Task AChineseHeavyMemberStateJustUnderTheRowIsWrittenAndReadBackWhole()
    {
        // Manual adjustments with 200-character Chinese reasons (one stored character each, three UTF-8 bytes), the kept
        // ledger's 50 stored by sequence in the outbox and the older ones whole, until the state is within 2,000
        // characters of the row: the provider splits its text over its 15 string properties of 32K characters, and every
        // character comes back.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var stored = Grown(StorageSiloFixture.MaxGrainStateBytes - 2_000);
        var member = stored.Member;

        var json = Json(stored);
        Assert.InRange(StoredStateText.Characters(json), StorageSiloFixture.MaxGrainStateBytes - 2_000, StorageSiloFixture.MaxGrainStateBytes);
        Assert.InRange(json.Length, StorageSiloFixture.MaxGrainStateBytes * 3 / 2, StoredStateText.ProviderByteCapacity);
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"$effect\":\"ledger-ref\"", text, StringComparison.Ordinal);
        Assert.Contains("顾客投诉积分未到账", text, StringComparison.Ordinal);
        var state = new TestGrainState<MemberGrainState>(stored);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(member.Outbox.Count, back.State.Member.Outbox.Count);
        Assert.True(OutboxBytes.PastBound(back.State.Member));
    }

    [Fact]
    public async Task AMemberStateOfTheEveryCapSizeIsWrittenAndReadBackWhole()
    {
        // The member at every default cap at once measures EveryCapAtOnceCharacters stored (MemberStateSerializationTests),
        // under the default row bound: a state of that size is written and read back whole.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var state = new TestGrainState<MemberGrainState>(Grown(MemberStateSizes.EveryCapAtOnceCharacters));
        var json = Json(state.State);
        Assert.InRange(StoredStateText.Characters(json), MemberStateSizes.EveryCapAtOnceCharacters, MemberStateSizes.EveryCapAtOnceCharacters + 2_000);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(state.ETag, back.ETag);
    }

    [Fact]
    public async Task AnEveryCapSizedMemberWhoseIdsAreAllEmojiIsWrittenReadBackAndStillKnowsItsRedemptionsAndMakers()
    {
        // The remembered redemptions (RecentRedemptionsKept) and adjustment makers (AdjustmentActors.MaxKept) made through
        // the rules with 128-code-point emoji redemption, store and adjustment ids (12 stored characters a code point),
        // grown to the every-cap size: the ids are kept as bounded keys (KeptIds), the state is written to Azurite and read
        // back whole, and the read-back member still answers a retry with the ids as sent: the first answer, replayed.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var stored = MemberStates.WithHistory();
        var member = stored.Member;
        var options = new ProgramOptions();
        var now = member.LastActivityAt ?? DateTimeOffset.UnixEpoch;
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member, "seed", AdjustmentPolicy.PointsKind, 1_000, "seed", options, now).Status);
        var firsts = new List<string?>();
        for (var r = 0; r < options.RecentRedemptionsKept; r++)
        {
            var first = RedemptionPolicy.Redeem(member, EmojiId('R', r), 1, null, "kettle", options, now.AddMinutes(r), storeId: EmojiId('S', r));
            Assert.Equal(RedemptionStatuses.Accepted, first.Status);
            firsts.Add(first.Detail);
        }

        for (var i = 0; i < AdjustmentActors.MaxKept; i++)
        {
            AdjustmentActors.Remember(member, EmojiId('A', i), new AdjustmentActor("Li Na", "support"), now.AddMinutes(i));
        }

        // And the member's 20 coupon refusal notes (Coupon.MaxRefusalsPerMember), which keep their redemption and store ids
        // as sent (support reads them): orders under the coupons' minimum spend, ids of emoji.
        member.MemberId = "M-emoji"; // a coupon's code is derived from its member's id
        var offers = new OffersOptions { CouponSecret = "test-coupon-secret-0123456789abcdef" };
        var template = new CouponTemplate
        {
            OfferId = "C-618", Kind = CouponKinds.Threshold, Value = 100m, MinSpend = 500m, ValidDays = 7,
            Scope = new CouponScope { Regions = ["east"], Stores = [] },
        };
        var codes = Enumerable.Range(0, Coupon.MaxRefusalsPerMember / Coupon.MaxRefusals)
            .Select(i => MemberCoupons.Issue(member, template, $"grant-{i}", offers, options, now).Reply.Coupon!.Code)
            .ToList();
        for (var n = 0; n < Coupon.MaxRefusalsPerMember; n++)
        {
            var order = new CouponOrder(100m, EmojiId('T', n), "east");
            Assert.True(MemberCoupons.Redeem(member, codes[n % codes.Count], EmojiId('C', n), order, options, now.AddMinutes(n)).StateChanged);
        }

        var grown = Grown(stored, MemberStateSizes.EveryCapAtOnceCharacters);
        var json = Json(grown);
        Assert.Equal(Coupon.MaxRefusalsPerMember, MemberCoupons.Book(member).Coupons.Sum(c => c.Refusals?.Count ?? 0));
        Assert.InRange(StoredStateText.Characters(json), MemberStateSizes.EveryCapAtOnceCharacters, MemberStateSizes.EveryCapAtOnceCharacters + 2_000);
        Assert.All(member.Redemptions, r => Assert.True(KeptIds.StoredBytesAtMost(r.RedemptionId) <= KeptIds.MaxKeptBytes && KeptIds.StoredBytesAtMost(r.StoreId!) <= KeptIds.MaxKeptBytes));
        var state = new TestGrainState<MemberGrainState>(grown);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        var oldest = options.RecentRedemptionsKept - 1;
        var retry = RedemptionPolicy.Redeem(back.State.Member, EmojiId('R', oldest), 1, null, "kettle", options, now.AddHours(5), storeId: EmojiId('S', oldest));
        var reused = RedemptionPolicy.Redeem(back.State.Member, EmojiId('R', oldest), 2, null, "kettle", options, now.AddHours(5), storeId: EmojiId('S', oldest));
        Assert.Equal((RedemptionStatuses.Accepted, true, firsts[oldest]), (retry.Status, retry.Replayed, retry.Detail));
        Assert.StartsWith($"redemptionId {EmojiId('R', oldest)} was already used for a different request", reused.Detail, StringComparison.Ordinal);
        Assert.Equal(new AdjustmentActor("Li Na", "support"), AdjustmentActors.Of(back.State.Member, EmojiId('A', AdjustmentActors.MaxKept - 1)));
        var notes = MemberCoupons.Book(back.State.Member).Coupons.SelectMany(c => c.Refusals ?? []).OrderBy(n => n.At).ToList();
        Assert.Equal(
            Enumerable.Range(0, Coupon.MaxRefusalsPerMember).Select(n => (EmojiId('C', n), (string?)EmojiId('T', n))),
            notes.Select(n => (n.RedemptionId, n.StoreId))); // as sent, every code point back
    }

    /// <summary>
    /// A 128-code-point id: 123 emoji, <paramref name="kind"/> and <paramref name="n"/> in 4 digits; it opens with an emoji,
    /// which fills the key's opening (KeptIds.PrefixBytes), so its key is the longest, 35 stored characters.
    /// </summary>
    private static string EmojiId(char kind, int n) =>
        string.Concat(Enumerable.Repeat("😀", 123)) + kind + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task AMemberStateOverTheRowIsRefusedAndTheStoredOneKept()
    {
        // Over the bound as the provider counts it: the write is refused by the guard, the stored version stays, and its
        // ETag is not moved.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var state = new TestGrainState<MemberGrainState>(MemberStates.WithHistory());
        await silo.Storage.WriteStateAsync("member", grain, state);
        var etag = state.ETag;
        var small = Json(state.State);

        state.State = Grown(StorageSiloFixture.MaxGrainStateBytes + 1);
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => silo.Storage.WriteStateAsync("member", grain, state));

        Assert.Equal(StoredStateText.Characters(Json(state.State)), error.ActualBytes);
        Assert.Equal(StorageSiloFixture.MaxGrainStateBytes, error.LimitBytes);
        Assert.Equal(etag, state.ETag);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);
        Assert.Equal(small, Json(back.State));
        Assert.Equal(etag, back.ETag);
    }

    /// <summary>
    /// A member with history whose outbox holds long negative adjustments until its stored size (characters of the JSON
    /// the storage writes) is at least <paramref name="stored"/>.
    /// </summary>
    private static MemberGrainState Grown(int stored) => Grown(MemberStates.WithHistory(), stored);

    /// <summary>
    /// As above, growing <paramref name="state"/>: the adjustments a loop measuring after each one would add, stopping at
    /// the first that takes the state to <paramref name="stored"/>. The state is measured (serialized whole, up to some
    /// 1.4 MB of UTF-8) between batches of at most half of what is left over the largest growth an adjustment has shown
    /// yet, so a batch stops short of <paramref name="stored"/> (one that did not would leave the state larger than the
    /// loop's, which the callers' size assertions would show): a few dozen measures instead of one per adjustment, some
    /// 1,200 (serializing after each made the growing quadratic, most of this class's CPU time).
    /// </summary>
    private static MemberGrainState Grown(MemberGrainState state, int stored)
    {
        var member = state.Member;
        var options = new ProgramOptions();
        var now = member.LastActivityAt ?? DateTimeOffset.UnixEpoch;
        var reason = LongAdjustments.Reason;
        var size = StoredStateText.Characters(Json(state));
        var largestStep = 0;
        for (var i = 0; size < stored;)
        {
            var batch = largestStep == 0 ? 1 : Math.Max(1, (stored - size) / (2 * largestStep));
            for (var end = i + batch; i < end; i++)
            {
                var decision = Domain.Points.AdjustmentPolicy.Apply(member, $"adj-{i:D4}", Domain.Points.AdjustmentPolicy.PointsKind, 1, reason, options, now.AddMinutes(i));
                foreach (var entry in decision.NewEntries)
                {
                    member.Outbox.Add(new ArchiveLedgerEntry(entry));
                }
            }

            var grown = StoredStateText.Characters(Json(state));
            largestStep = Math.Max(largestStep, (grown - size + batch - 1) / batch);
            size = grown;
        }

        return state;
    }

    /// <summary>The state's JSON as the grain storage writes it.</summary>
    private static byte[] Json(MemberGrainState state) => JsonSerializer.SerializeToUtf8Bytes(state, JsonGrainStateSerializer.Options);
}
