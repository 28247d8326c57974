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
        Assert.Contains(old.Code, twice.Reason, StringComparison.Ordinal);
        Assert.Contains(fresh.Code, twice.Reason, StringComparison.Ordinal);
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

        Assert.Contains(CouponRefusals.Voided, Assert.Single(step.Reply), StringComparison.Ordinal);
        Assert.DoesNotContain(member.Ledger, e => e.RuleId == CouponReissues.DoubleUseRule);
    }
}
