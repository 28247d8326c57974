using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// The win-back L1 gift tied to skus (docs/offers.md "Store inventory"): the tick names the grant whose stock it needs
/// only when the touch goes out, sends it with its coupon when stock was found, and otherwise holds it in its window
/// (no cap taken, no coupon, retried <see cref="OffersOptions.StockRetryHours"/> later) until stock is found or the
/// window closes.
/// </summary>
public sealed class GoodsTiedTouchHoldTests
{
    private static readonly CouponTemplate Gift = WakeUpGift with { Scope = new CouponScope { Skus = ["SKU-GIFT"] } };

    private static readonly OffersOptions Offers = new() { CouponSecret = Secret, WinBackGift = Gift, BirthdayCoupon = null, StockRetryHours = 6 };

    private readonly ProgramOptions _options = new();

    /// <summary>Last purchase at 10:00 Shanghai, so L1 falls due at 10:00 thirty days later, outside quiet hours.</summary>
    private static readonly DateTimeOffset LastPurchase = new(2026, 10, 1, 10, 0, 0, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset L1Due = LastPurchase.AddDays(30).AddMinutes(1);

    private static readonly string Grant = "winback:L1:" + TouchIds.KeyFor(LastPurchase.AddDays(30));

    private static readonly string GrantCode = Codes.CodeFor("M1", Grant);

    [Fact]
    public void AnL1TouchGoingOutNamesItsGrantAndGoesWithItsCouponWhenStockWasFound()
    {
        var member = QuietMember();

        Assert.Empty(Wanted(member, L1Due.AddDays(-1))); // nothing due yet: nothing to look up
        Assert.Equal([Grant], Wanted(member, L1Due));
        var tick = Tick(member, L1Due, new Dictionary<string, bool?> { [Grant] = true });

        var l1 = Assert.Single(tick.Touches, t => t.Level == 1);
        Assert.Equal((TouchDecisions.Sent, GrantCode), (l1.Decision, l1.CouponCode));
        Assert.Equal(CouponStatuses.Issued, Assert.Single(MemberCoupons.Book(member).Coupons).Status);
    }

    [Fact]
    public void AnL1TouchWithNoStockWaitsInItsWindowTakingNoCapThenGoesOnceStockIsFound()
    {
        var member = QuietMember();

        var held = Assert.Single(Tick(member, L1Due, new Dictionary<string, bool?> { [Grant] = false }).Touches, t => t.Level == 1);

        Assert.Equal(TouchDecisions.Deferred, held.Decision);
        Assert.StartsWith(GoodsTiedCoupons.HeldForStock + ": none of the coupon's 1 sku(s) is in stock near the member", held.Reason, StringComparison.Ordinal);
        Assert.Equal(L1Due.AddHours(6), held.NotBefore);
        Assert.Empty(MemberCoupons.Book(member).Coupons);
        Assert.DoesNotContain(member.Outbox.Pending, e => e is PublishTouch);
        Assert.Equal(0, TouchGovernor.CapsSnapshot(member, _options, L1Due).MarketingToday);
        Assert.Equal(L1Due.AddHours(6), MemberTick.NextDueAt(member, _options, L1Due)); // the retry wakes the member

        // A look-up that did not answer holds it too; before the retry nothing is looked up again.
        Assert.Empty(Wanted(member, L1Due.AddHours(5)));
        var retry = L1Due.AddHours(6);
        Assert.Equal([Grant], Wanted(member, retry));
        var unanswered = Assert.Single(Tick(member, retry, new Dictionary<string, bool?> { [Grant] = null }).Touches, t => t.Level == 1);
        Assert.Equal(TouchDecisions.Deferred, unanswered.Decision);
        Assert.Contains("the stock look-up did not answer", unanswered.Reason, StringComparison.Ordinal);

        var sent = Assert.Single(Tick(member, retry.AddHours(18), new Dictionary<string, bool?> { [Grant] = true }).Touches, t => t.Level == 1);
        Assert.Equal((TouchDecisions.Sent, GrantCode), (sent.Decision, sent.CouponCode));
        Assert.Contains(member.Outbox.Pending, e => e is PublishTouch p && p.Touch.CouponCode == GrantCode);
    }

    [Fact]
    public void AnL1TouchNeverFindingStockIsSuppressedWhenItsWindowClosesWithoutACoupon()
    {
        var member = QuietMember();
        var now = L1Due;
        TouchDecision l1 = Assert.Single(Tick(member, now, new Dictionary<string, bool?> { [Grant] = false }).Touches, t => t.Level == 1);
        for (var retries = 0; retries < 200 && l1.Decision == TouchDecisions.Deferred; retries++)
        {
            now = l1.NotBefore!.Value;
            l1 = Tick(member, now, new Dictionary<string, bool?> { [Grant] = false }).Touches.SingleOrDefault(t => t.Level == 1) ?? TouchGovernor.Find(member, l1.TouchId)!;
        }

        Assert.Equal(TouchDecisions.Suppressed, l1.Decision);
        Assert.Equal(l1.ValidUntil, now); // decided last when its window closed, not before
        Assert.Contains("offer expired", l1.Reason, StringComparison.Ordinal);
        Assert.Empty(MemberCoupons.Book(member).Coupons);
    }

    [Fact]
    public void ATemplateWithoutSkusIsNeverLookedUpNorHeld()
    {
        var plain = new OffersOptions { CouponSecret = Secret, WinBackGift = WakeUpGift, BirthdayCoupon = null };
        var member = QuietMember();
        var going = MemberTick.OfferTouchesGoingOut(member, _options, L1Due);

        Assert.Single(going);
        Assert.Empty(GoodsTiedCoupons.StockWanted(member, going, plain, _options));
        Assert.Null(GoodsTiedCoupons.HoldFor(member, going[0], plain, _options, L1Due, new Dictionary<string, bool?>()));
    }

    private MemberState QuietMember()
    {
        var member = new MemberState { MemberId = "M1" };
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, LastPurchase) { OrderId = "O1", Amount = 100m }, _options, LastPurchase);
        return member;
    }

    private List<string> Wanted(MemberState member, DateTimeOffset now) =>
        [.. GoodsTiedCoupons.StockWanted(member, MemberTick.OfferTouchesGoingOut(member, _options, now), Offers, _options).Select(w => w.GrantId)];

    private MemberTickResult Tick(MemberState member, DateTimeOffset now, Dictionary<string, bool?> inStock) =>
        MemberDecider.Tick(
            member, _options, now, r => OfferFulfilment.ForTouch(member, r, Offers, _options, now), hold: r => GoodsTiedCoupons.HoldFor(member, r, Offers, _options, now, inStock)).Reply;
}
