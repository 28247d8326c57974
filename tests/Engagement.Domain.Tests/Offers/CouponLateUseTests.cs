using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// A late purchase used a coupon support has since reissued (CouponReissues.AfterLateUse, CONTRACT.md §1.1, §2.1): what
/// the replacement's own offline use and a refund of the late order do afterwards.
/// </summary>
public sealed class CouponLateUseTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private readonly ProgramOptions _options = new();

    private static MemberState Member() => new() { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60) };

    private static MemberEvent Purchase(string eventId, DateTimeOffset occurredAt, string code) =>
        new(eventId, MemberEventTypes.Purchase, occurredAt) { OrderId = "O-" + eventId, Amount = 120m, StoreId = "S009", RegionId = "east", Coupons = [code] };

    private (Coupon Old, Coupon Fresh) IssueAndReissue(MemberState member)
    {
        var old = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var fresh = CouponReissues.Reissue(member, old.Code, "rx-1", "Li Na", "member lost the coupon", Offers, _options, Noon.AddDays(1)).Reply.New!;
        return (old, fresh);
    }

    // Reissue C -> C' (day 1 12:00); an offline till gave C''s discount at day 1 15:00 without a redeem call; the late
    // purchase with C (day 0 20:00) arrives first and voids C' (day 2). Then C''s own purchase arrives: it was used
    // before that void, so the member got the value twice: recorded once, not refused in silence; redelivery adds none.
    [Fact]
    public void AReplacementUsedOfflineBeforeALateUseVoidedItRecordsTheDoubleUseOnce()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        MemberCoupons.AfterEvent(member, Purchase("pos-late", Noon.AddHours(8), old.Code), Offers, _options, Noon.AddDays(2));
        Assert.Equal(CouponStatuses.Voided, MemberCoupons.Book(member).Find(fresh.Code)!.Status);

        var offline = Purchase("pos-fresh", Noon.AddDays(1).AddHours(3), fresh.Code);
        var step = MemberCoupons.AfterEvent(member, offline, Offers, _options, Noon.AddDays(2).AddHours(1));
        MemberCoupons.AfterEvent(member, offline, Offers, _options, Noon.AddDays(2).AddHours(2));

        Assert.Empty(step.Reply);
        var twice = Assert.Single(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);
        Assert.Equal((0L, "pos-fresh"), (twice.Delta, twice.EventId));
        Assert.Contains("used twice", twice.Reason, StringComparison.Ordinal);
        // Both codes by their last 4 characters only: the ledger is support's to read (CouponCodes.Mask).
        Assert.Contains("…" + old.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.Contains("…" + fresh.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(old.Code, twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh.Code, twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);
        Assert.Equal(0L, member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Sum(e => e.Delta));
    }

    // A purchase with the voided replacement after that void is refused as before: it was not valid then.
    [Fact]
    public void AReplacementUsedAfterALateUseVoidedItIsStillRefused()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        MemberCoupons.AfterEvent(member, Purchase("pos-late", Noon.AddHours(8), old.Code), Offers, _options, Noon.AddDays(2));

        var step = MemberCoupons.AfterEvent(member, Purchase("pos-fresh", Noon.AddDays(2).AddHours(1), fresh.Code), Offers, _options, Noon.AddDays(2).AddHours(2));

        Assert.Equal(CouponRefusals.Voided, Assert.Single(step.Reply).Reason);
        Assert.DoesNotContain(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);
    }

    // C voided by the reissue (still within its window), the member redeemed C', then the late purchase with C recorded
    // a double use. A full refund of that late order must not restore C: C' gave the value, so no coupon stays live.
    [Fact]
    public void ARefundOfTheLateOrderAfterADoubleUseRestoresNoCoupon()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        Assert.True(MemberCoupons.Redeem(member, fresh.Code, "r1", At("S001", 80m), _options, Noon.AddDays(1).AddHours(2)).Reply.Accepted);
        LateUseOf(member, old.Code);
        Assert.Single(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);

        RefundLateOrder(member);

        Assert.DoesNotContain(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);
        Assert.Equal(0L, member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Sum(e => e.Delta));
    }

    // The late use voided C'; refunding that late order gives the value back once: C' (the coupon support meant the
    // member to hold) is issued again, C (withdrawn by the reissue) stays as the refunded order left it.
    [Fact]
    public void ARefundOfTheLateOrderThatVoidedTheReplacementIssuesTheReplacementAgain()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        LateUseOf(member, old.Code);
        Assert.Equal(CouponStatuses.Voided, MemberCoupons.Book(member).Find(fresh.Code)!.Status);

        RefundLateOrder(member);

        var live = Assert.Single(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);
        Assert.Equal(fresh.Code, live.Code);
        Assert.Null(live.VoidedForLateOrderId);
        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(old.Code)!.Status);
        Assert.Equal(1L, member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Sum(e => e.Delta));
    }

    // C expires (14 days) before C' (14 days from the reissue a day later): a refund of the late order after C's end and
    // before C''s still issues C' again; its own window counts, not the original's.
    [Fact]
    public void ARefundOfTheLateOrderAfterTheOriginalsEndStillIssuesTheReplacementAgain()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        LateUseOf(member, old.Code);
        var at = old.ValidUntil.AddHours(1);
        Assert.True(at < fresh.ValidUntil);

        Apply(member, new MemberEvent("refund-late", MemberEventTypes.Refund, at) { OrderId = "O-pos-late", Amount = 120m }, at);

        Assert.Equal(fresh.Code, Assert.Single(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued).Code);
    }

    // C' used on order O-pos-fresh, C on the late order: a double use. Refunding the late order gives nothing back (C'
    // stands); refunding O-pos-fresh too then gives the value back once: exactly one live coupon.
    [Fact]
    public void RefundingBothUsesOfADoubleUseGivesTheValueBackOnce()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        Apply(member, Purchase("pos-fresh", Noon.AddDays(1).AddHours(2), fresh.Code), Noon.AddDays(1).AddHours(2));
        LateUseOf(member, old.Code);
        RefundLateOrder(member);
        Assert.DoesNotContain(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);

        var at = Noon.AddDays(2).AddHours(2);
        Apply(member, new MemberEvent("refund-fresh", MemberEventTypes.Refund, at) { OrderId = "O-pos-fresh", Amount = 120m }, at);

        Assert.Single(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);
    }

    // Chain C -> C' -> C''; late orders used C (O-pos-a) and C' (O-pos-b). Refunding O-pos-a alone gives nothing back,
    // whichever late order arrived first: C' still gave the value on O-pos-b.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RefundingOneUseOfAChainsDoubleUseGivesNothingBackInEitherOrder(bool originalFirst)
    {
        var member = Member();
        var (old, middle) = IssueAndReissue(member);
        CouponReissues.Reissue(member, middle.Code, "rx-2", "Li Na", "lost again", Offers, _options, Noon.AddDays(2));
        var first = Purchase("pos-a", Noon.AddHours(8), old.Code);
        var second = Purchase("pos-b", Noon.AddDays(1).AddHours(3), middle.Code);
        foreach (var evt in originalFirst ? new[] { first, second } : [second, first])
        {
            Apply(member, evt, Noon.AddDays(3));
        }

        var at = Noon.AddDays(3).AddHours(1);
        Apply(member, new MemberEvent("refund-a", MemberEventTypes.Refund, at) { OrderId = "O-pos-a", Amount = 120m }, at);

        Assert.DoesNotContain(MemberCoupons.Book(member).Coupons, c => c.Status == CouponStatuses.Issued);
    }

    private void Apply(MemberState member, MemberEvent evt, DateTimeOffset now)
    {
        MemberDecider.Apply(member, evt, _options, now);
        MemberCoupons.AfterEvent(member, evt, Offers, _options, now);
    }

    private void LateUseOf(MemberState member, string code)
    {
        var late = Purchase("pos-late", Noon.AddHours(8), code);
        MemberDecider.Apply(member, late, _options, Noon.AddDays(2));
        MemberCoupons.AfterEvent(member, late, Offers, _options, Noon.AddDays(2));
        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(code)!.Status);
    }

    private void RefundLateOrder(MemberState member)
    {
        var refund = new MemberEvent("refund-late", MemberEventTypes.Refund, Noon.AddDays(2).AddHours(1)) { OrderId = "O-pos-late", Amount = 120m };
        MemberDecider.Apply(member, refund, _options, Noon.AddDays(2).AddHours(1));
        MemberCoupons.AfterEvent(member, refund, Offers, _options, Noon.AddDays(2).AddHours(1));
    }

    // A chain C -> C' -> C'' (reissued twice); tills used C (before the first reissue) and C' (between the two), both
    // uploads late. Whichever arrives first, both uses stand, C'' is withdrawn and the double use is recorded once.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LateUsesOfTwoCouponsOfAReissueChainRecordOneDoubleUseInEitherOrder(bool originalFirst)
    {
        var member = Member();
        var (old, middle) = IssueAndReissue(member);
        var last = CouponReissues.Reissue(member, middle.Code, "rx-2", "Li Na", "lost again", Offers, _options, Noon.AddDays(2)).Reply.New!;
        var first = Purchase("pos-a", Noon.AddHours(8), old.Code);
        var second = Purchase("pos-b", Noon.AddDays(1).AddHours(3), middle.Code);
        foreach (var evt in originalFirst ? new[] { first, second } : [second, first])
        {
            Assert.Empty(MemberCoupons.AfterEvent(member, evt, Offers, _options, Noon.AddDays(3)).Reply);
        }

        var book = MemberCoupons.Book(member);
        Assert.Equal(
            (CouponStatuses.Redeemed, CouponStatuses.Redeemed, CouponStatuses.Voided),
            (book.Find(old.Code)!.Status, book.Find(middle.Code)!.Status, book.Find(last.Code)!.Status));
        var twice = Assert.Single(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);
        Assert.Contains("…" + old.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.Contains("…" + middle.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(old.Code, twice.Reason, StringComparison.Ordinal);
        Assert.Equal(0L, member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Sum(e => e.Delta));
    }

    // The late order that used C was refunded in full and C' issued again: the member then using C' is the one use
    // left, not a double use, though C still reads redeemed by the refunded order.
    [Fact]
    public void UsingTheReplacementIssuedAgainAfterTheLateOrdersRefundIsNoDoubleUse()
    {
        var member = Member();
        var (old, fresh) = IssueAndReissue(member);
        LateUseOf(member, old.Code);
        RefundLateOrder(member);

        var use = Purchase("pos-fresh", Noon.AddDays(2).AddHours(2), fresh.Code);
        MemberDecider.Apply(member, use, _options, Noon.AddDays(2).AddHours(2));
        Assert.Empty(MemberCoupons.AfterEvent(member, use, Offers, _options, Noon.AddDays(2).AddHours(2)).Reply);

        Assert.Equal(CouponStatuses.Redeemed, MemberCoupons.Book(member).Find(fresh.Code)!.Status);
        Assert.DoesNotContain(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);
    }
}
