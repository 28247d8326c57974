using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// A refused POS redemption leaves a trace on the coupon (docs/offers.md §7): one note per redemptionId, the newest
/// <see cref="Coupon.MaxRefusals"/> kept, so support can see why a till said no while the state stays bounded.
/// </summary>
public class CouponRefusalNoteTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };
    private readonly ProgramOptions _options = new();

    private (MemberState Member, string Code) Holding()
    {
        var member = new MemberState { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60) };
        var code = MemberCoupons.Issue(member, Spend500Get100, "campaign:C-618", Offers, _options, Noon).Reply.Coupon!.Code;
        return (member, code);
    }

    [Fact]
    public void ARefusalIsKeptOnTheCouponWithItsStoreReasonAndRedemptionAndItsReplayChangesNothing()
    {
        var (member, code) = Holding();

        var refused = MemberCoupons.Redeem(member, code, "pos-S001-7", At("S001", 499.99m), _options, Noon.AddHours(1));
        var replay = MemberCoupons.Redeem(member, code, "pos-S001-7", At("S001", 499.99m), _options, Noon.AddHours(2));

        Assert.Equal(CouponRefusals.BelowMinSpend, refused.Reply.Refusal!.Reason);
        Assert.True(refused.StateChanged);
        Assert.Equal(CouponRefusals.BelowMinSpend, replay.Reply.Refusal!.Reason);
        Assert.False(replay.StateChanged);
        var note = Assert.Single(MemberCoupons.Book(member).Find(code)!.Refusals!);
        Assert.Equal((Noon.AddHours(1), "pos-S001-7", "S001", CouponRefusals.BelowMinSpend), (note.At, note.RedemptionId, note.StoreId, note.Reason));
        Assert.Equal((499.99m, "order of 499.99 CNY is below the coupon's minimum spend of 500.00 CNY"),
            (note.Amount, note.Describe(MemberCoupons.Book(member).Find(code)!)));
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(code)!.Status);
    }

    [Fact]
    public void ARedemptionIdReusedWithAnotherAmountIsDescribedInWordsWithBothAmounts()
    {
        // The coupon's history read by support (GET /members/{id}/coupons) showed the bare code "redemption_id_reused"
        // as the refusal's reason, where every other refusal is a sentence.
        var (member, code) = Holding();
        Assert.True(MemberCoupons.Redeem(member, code, "pos-S001-9", At("S001", 600m), _options, Noon.AddHours(1)).Reply.Accepted);

        var reused = MemberCoupons.Redeem(member, code, "pos-S001-9", At("S001", 700m), _options, Noon.AddHours(2));

        Assert.Equal(CouponRefusals.RedemptionIdReused, reused.Reply.Refusal!.Reason);
        var coupon = MemberCoupons.Book(member).Find(code)!;
        var note = Assert.Single(coupon.Refusals!);
        Assert.Equal(
            "redemption pos-S001-9 was already used with orderAmount 600.00 CNY, not 700.00; a retry sends the same request, another order takes another redemptionId",
            note.Describe(coupon));
    }

    [Fact]
    public void ARedemptionIdReusedWhoseFirstRedemptionIsNoLongerKeptNamesOnlyTheAmountSent()
    {
        // The note outlives the redemption it names: a coupon restored by full refunds and redeemed again keeps only
        // the newest Coupon.MaxRedemptions, so the first orderAmount can no longer be told.
        var (member, code) = Holding();
        Assert.True(MemberCoupons.Redeem(member, code, "pos-S001-9", At("S001", 600m), _options, Noon.AddHours(1)).Reply.Accepted);
        Assert.Equal(CouponRefusals.RedemptionIdReused, MemberCoupons.Redeem(member, code, "pos-S001-9", At("S001", 700m), _options, Noon.AddHours(2)).Reply.Refusal!.Reason);
        var coupon = MemberCoupons.Book(member).Find(code)!;
        for (var i = 10; i < 10 + Coupon.MaxRedemptions; i++)
        {
            coupon = coupon.WithRedemption(new CouponRedemption($"pos-S001-{i}", "S001", 100m, Noon.AddDays(i), 600m));
        }

        Assert.Null(coupon.RedemptionOf("pos-S001-9"));
        Assert.Equal(
            "redemption pos-S001-9 was already used with another orderAmount than 700.00 CNY; a retry sends the same request, another order takes another redemptionId",
            Assert.Single(coupon.Refusals!).Describe(coupon));
    }

    [Fact]
    public void OnlyTheNewestFiveRefusalsAreKeptAndAnAcceptanceStillWorks()
    {
        var (member, code) = Holding();

        for (var i = 1; i <= 7; i++)
        {
            Assert.False(MemberCoupons.Redeem(member, code, $"r{i}", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(i)).Reply.Accepted);
        }

        var accepted = MemberCoupons.Redeem(member, code, "r8", At("S001", 500m), _options, Noon.AddMinutes(8));

        Assert.True(accepted.Reply.Accepted);
        var coupon = MemberCoupons.Book(member).Find(code)!;
        Assert.Equal(["r3", "r4", "r5", "r6", "r7"], coupon.Refusals!.Select(r => r.RedemptionId));
        Assert.All(coupon.Refusals!, r => Assert.Equal(CouponRefusals.WrongStore, r.Reason));
        Assert.Equal(CouponStatuses.Redeemed, coupon.Status);
    }

    [Fact]
    public void AcrossTheMembersCouponsOnlyTheNewestTwentyRefusalsAreKept()
    {
        var member = new MemberState { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60) };
        var codes = Enumerable.Range(0, 6)
            .Select(i => MemberCoupons.Issue(member, Spend500Get100, $"campaign:C{i}", Offers, _options, Noon).Reply.Coupon!.Code)
            .ToList();

        for (var i = 0; i < 30; i++)
        {
            Assert.True(MemberCoupons.Redeem(member, codes[i % 6], $"r{i}", At("S001", 1m), _options, Noon.AddMinutes(i + 1)).StateChanged);
        }

        var notes = MemberCoupons.Book(member).Coupons.SelectMany(c => c.Refusals ?? []).OrderBy(n => n.At).ToList();
        Assert.Equal(Coupon.MaxRefusalsPerMember, notes.Count);
        Assert.Equal(Enumerable.Range(10, 20).Select(i => $"r{i}"), notes.Select(n => n.RedemptionId));
    }

    [Fact]
    public void ARefusalPushedOutOfTheNewestKeptIsNotStoredAgainWhenTheTillReplaysItsRedemptionId()
    {
        // Per coupon: r1 and r2 were pushed out of the newest five; the till retries r1.
        var (member, code) = Holding();
        for (var i = 1; i <= 7; i++)
        {
            Assert.True(MemberCoupons.Redeem(member, code, $"r{i}", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(i)).StateChanged);
        }

        var replay = MemberCoupons.Redeem(member, code, "r1", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(9));

        Assert.Equal(CouponRefusals.WrongStore, replay.Reply.Refusal!.Reason); // the till is still told why
        Assert.False(replay.StateChanged);
        Assert.Equal(["r3", "r4", "r5", "r6", "r7"], MemberCoupons.Book(member).Find(code)!.Refusals!.Select(r => r.RedemptionId));

        // Across the member's coupons: r0 went when the member's newest twenty moved on; its replay stores nothing either,
        // while the same redemptionId refused on another coupon is a note of its own.
        var many = new MemberState { MemberId = "M2", FirstSeenAt = Noon.AddDays(-60) };
        var codes = Enumerable.Range(0, 6)
            .Select(i => MemberCoupons.Issue(many, Spend500Get100, $"campaign:C{i}", Offers, _options, Noon).Reply.Coupon!.Code)
            .ToList();
        for (var i = 0; i < 30; i++)
        {
            Assert.True(MemberCoupons.Redeem(many, codes[i % 6], $"r{i}", At("S001", 1m), _options, Noon.AddMinutes(i + 1)).StateChanged);
        }

        Assert.False(MemberCoupons.Redeem(many, codes[0], "r0", At("S001", 1m), _options, Noon.AddMinutes(40)).StateChanged);
        Assert.True(MemberCoupons.Redeem(many, codes[1], "r0", At("S001", 1m), _options, Noon.AddMinutes(41)).StateChanged);
        Assert.Equal(Coupon.MaxRefusalsPerMember, MemberCoupons.Book(many).Coupons.Sum(c => c.Refusals?.Count ?? 0));
    }

    [Fact]
    public void ForgottenRefusalsStoredAsNullArePushedOutIntoLittleEndianFingerprints()
    {
        // State that stored "forgottenRefusals": null (hand-edited or an older writer) must not fail the next refusal.
        var (member, code) = Holding();
        for (var i = 1; i <= Coupon.MaxRefusals; i++)
        {
            MemberCoupons.Redeem(member, code, $"r{i}", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(i));
        }

        member.Offers!.ForgottenRefusals = null!;

        Assert.True(MemberCoupons.Redeem(member, code, "r9", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(9)).StateChanged);

        // r1 was pushed out: its fingerprint is stored little-endian whatever the machine's byte order.
        var prints = member.Offers!.ForgottenRefusals;
        Assert.Equal(4, prints.Length);
        Assert.Equal(RewardStock.Fingerprint(code + "\u001F" + "r1"), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(prints));
        Assert.False(MemberCoupons.Redeem(member, code, "r1", At("S900", 800m, region: "south"), _options, Noon.AddMinutes(10)).StateChanged);
    }

    [Fact]
    public void ACodeTheMemberDoesNotHoldIsRefusedWithoutAStateChange()
    {
        var (member, _) = Holding();

        var outcome = MemberCoupons.Redeem(member, "NOSUCHCODE000000", "r1", At("S001", 600m), _options, Noon.AddHours(1));

        Assert.Equal(CouponRefusals.NotFound, outcome.Reply.Refusal!.Reason);
        Assert.False(outcome.StateChanged);
    }
}
