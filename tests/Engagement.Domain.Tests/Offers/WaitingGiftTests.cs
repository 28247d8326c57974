using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>The win-back L1 gift of a touch that waits for the end of quiet hours is issued only when the touch goes out.</summary>
public sealed class WaitingGiftTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private readonly ProgramOptions _options = new();

    /// <summary>Last purchase at 23:00 Shanghai, so L1 falls due at 23:00 thirty days later, in quiet hours.</summary>
    private static readonly DateTimeOffset LastPurchase = new(2026, 10, 1, 23, 0, 0, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset L1Due = LastPurchase.AddDays(30).AddMinutes(1);

    private static readonly DateTimeOffset NineNextMorning = new(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(8));

    private static readonly string GrantCode = Codes.CodeFor("M1", "winback:L1:" + TouchIds.KeyFor(LastPurchase.AddDays(30)));

    [Fact]
    public void AnL1TouchWithdrawnBecauseTheMemberLoggedInBeforeNineLeavesNoIssuedGiftCoupon()
    {
        var member = QuietMember();
        var night = Tick(member, L1Due);
        Assert.Equal(TouchDecisions.Deferred, Assert.Single(night.Touches, t => t.Level == 1).Decision);

        var login = NineNextMorning.AddHours(-1);
        MemberDecider.Apply(member, new MemberEvent("e2", MemberEventTypes.Login, login), _options, login);
        var morning = Tick(member, NineNextMorning);

        Assert.DoesNotContain(morning.Touches, t => t.Level == 1 && t.Decision == TouchDecisions.Sent);
        Assert.Equal(TouchDecisions.Suppressed, TouchGovernor.Find(member, Assert.Single(night.Touches, t => t.Level == 1).TouchId)!.Decision);
        Assert.DoesNotContain(MemberCoupons.Book(member).Coupons, c => c.Code == GrantCode && c.Status == CouponStatuses.Issued);
        Assert.DoesNotContain(member.Ledger, e => e.Kind == MemberCoupons.LedgerKind);
    }

    [Fact]
    public void AnL1TouchThatWaitedForNineIssuesTheGiftThenAndCarriesItsCode()
    {
        var member = QuietMember();
        Tick(member, L1Due);
        Assert.Empty(MemberCoupons.Book(member).Coupons);

        var morning = Tick(member, NineNextMorning);

        var l1 = Assert.Single(morning.Touches, t => t.Level == 1);
        Assert.Equal((TouchDecisions.Sent, GrantCode), (l1.Decision, l1.CouponCode));
        Assert.Equal(CouponStatuses.Issued, Assert.Single(MemberCoupons.Book(member).Coupons).Status);
        Assert.Contains(member.Outbox.Pending, e => e is PublishTouch p && p.Touch.CouponCode == GrantCode);
    }

    private MemberState QuietMember()
    {
        var member = new MemberState { MemberId = "M1" };
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, LastPurchase) { OrderId = "O1", Amount = 100m }, _options, LastPurchase);
        return member;
    }

    private MemberOutcome<Engagement.Domain.Lifecycle.MemberTickResult> Tick(MemberState member, DateTimeOffset now) =>
        MemberDecider.Tick(member, _options, now, r => OfferFulfilment.ForTouch(member, r, Offers, _options, now));
}
