using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// The tick's look-ahead (<see cref="MemberTick.OfferTouchesGoingOut"/>) names every goods-tied offer touch the tick
/// then asks its hold about (docs/offers.md "Store inventory"): the grain looks up only what it names, before the change,
/// and a touch it missed would be held with no look-up made.
/// </summary>
public sealed class GoodsTiedLookAheadTests
{
    private static readonly CouponTemplate Gift = WakeUpGift with { Scope = new CouponScope { Skus = ["SKU-GIFT"] } };

    private static readonly CouponTemplate Cake = new()
    {
        OfferId = "birthday-coupon", Kind = CouponKinds.NoThreshold, Value = 30m, ValidDays = 30, Scope = new CouponScope { Skus = ["SKU-CAKE"] },
    };

    private static readonly OffersOptions Offers = new() { CouponSecret = Secret, WinBackGift = Gift, BirthdayCoupon = Cake, StockRetryHours = 6 };

    [Fact]
    public void ABirthdayTouchOfATierTheTickItselfUpgradesIsNamedAndGoesWithItsCoupon()
    {
        // 600 CNY is V1 (no birthday benefit) until the rules lower V2 to 500: the tick's own reassessment upgrades the
        // member and grants the benefit, then decides this year's birthday touch.
        var options = new ProgramOptions();
        var member = new MemberState { MemberId = "M1", Birthday = new DateOnly(1990, 11, 23) };
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, Noon.AddDays(-1)) { OrderId = "O1", Amount = 600m }, options, Noon.AddDays(-1));
        Assert.DoesNotContain(member.Benefits, b => b.Code == "birthday-coupon");
        var lowered = new ProgramOptions();
        lowered.Tiers["V2"].Threshold = 500;

        var named = Named(member, lowered, Noon);
        var (asked, tick) = TickRecording(member, lowered, Noon, named.ToDictionary(g => g, _ => (bool?)true));

        Assert.Contains("birthday:2026", named);
        Assert.Subset(named.ToHashSet(), asked.ToHashSet());
        var birthday = Assert.Single(tick.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);
        Assert.Equal((TouchDecisions.Sent, Codes.CodeFor("M1", "birthday:2026")), (birthday.Decision, birthday.CouponCode));
    }

    [Fact]
    public void ATouchTheLookAheadDidNotNameIsHeldAsNotLookedUpNotAsAFailedLookUp()
    {
        var options = new ProgramOptions();
        var member = new MemberState { MemberId = "M1", Birthday = new DateOnly(1990, 11, 23) };
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, Noon.AddDays(-1)) { OrderId = "O1", Amount = 1_200m }, options, Noon.AddDays(-1));

        var (_, tick) = TickRecording(member, options, Noon, []);

        var held = Assert.Single(tick.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);
        Assert.Equal(TouchDecisions.Deferred, held.Decision);
        Assert.Equal("not_looked_up", GoodsTiedCoupons.HoldCause(held.Reason));
        Assert.Equal("no_answer", GoodsTiedCoupons.HoldCause(GoodsTiedCoupons.HoldFor(member, new TouchRequest
        {
            Kind = TouchKinds.BirthdayBenefit, Channel = "sms", DedupeKey = "2027",
        }, Offers, options, Noon, new Dictionary<string, bool?> { ["birthday:2027"] = null })!.Reason));
    }

    [Fact]
    public void ASweepOfTicksAsksTheHoldOnlyAboutGrantsTheLookAheadNamedAndNamesNothingInQuietHours()
    {
        // L1 falls due at 02:00 Shanghai (quiet hours until 09:00) on the member's birthday: both compete for the one
        // marketing touch a day; the loser waits; the stock is missing at first, then found; a late tick comes after a
        // silent gap of three days.
        var options = new ProgramOptions();
        var zone = TimeSpan.FromHours(8);
        var lastPurchase = new DateOnly(2026, 10, 24).ToDateTime(new TimeOnly(2, 0));
        var member = new MemberState { MemberId = "M1", Birthday = new DateOnly(1990, 11, 23) };
        var purchaseAt = new DateTimeOffset(lastPurchase, zone);
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, purchaseAt) { OrderId = "O1", Amount = 1_200m }, options, purchaseAt);

        var ticks = Enumerable.Range(0, 40).Select(h => new DateTimeOffset(2026, 11, 22, 20, 0, 0, zone).AddHours(h)).ToList();
        ticks.AddRange(Enumerable.Range(0, 30).Select(h => new DateTimeOffset(2026, 11, 27, 10, 30, 0, zone).AddHours(h)));
        var everAsked = new List<string>();
        var stockArrives = new DateTimeOffset(2026, 11, 23, 13, 0, 0, zone);
        foreach (var now in ticks)
        {
            var named = Named(member, options, now);
            var local = TimeOnly.FromDateTime(now.ToOffset(zone).DateTime);
            if (local >= new TimeOnly(21, 0) || local < new TimeOnly(9, 0))
            {
                Assert.True(named.Count == 0, $"named {string.Join(", ", named)} in quiet hours at {now:O}");
            }

            var (asked, _) = TickRecording(member, options, now, named.ToDictionary(g => g, _ => (bool?)(now >= stockArrives)));
            Assert.True(asked.All(named.Contains), $"at {now:O} the hold was asked about {string.Join(", ", asked)}; the look-ahead named {string.Join(", ", named)}");
            everAsked.AddRange(asked);
        }

        Assert.Contains(everAsked, g => g.StartsWith("winback:L1:", StringComparison.Ordinal));
        Assert.Contains("birthday:2026", everAsked);
        Assert.Contains(member.Touches.Decisions, d => d.Kind == TouchKinds.BirthdayBenefit && d.Decision == TouchDecisions.Sent && d.CouponCode is not null);
        Assert.Contains(member.Touches.Decisions, d => d.Level == 1 && d.Decision == TouchDecisions.Sent && d.CouponCode is not null);
    }

    [Fact]
    public void ABirthdayHeldLateOnTheLastDayOfItsWindowGetsOneMoreLookBeforeQuietHoursCloseIt()
    {
        // Today (23 Nov, Shanghai) is the last day of a 7-day window (birthday 17 Nov); the window closes at midnight,
        // inside quiet hours (21:00–09:00). Held at 16:00, a plain +6 h retry (22:00) would fall in quiet hours and the
        // window would close before 09:00: the birthday lost for the year.
        var options = new ProgramOptions();
        var zone = TimeSpan.FromHours(8);
        var member = new MemberState { MemberId = "M1", Birthday = new DateOnly(1990, 11, 17) };
        var bought = new DateTimeOffset(2026, 11, 1, 12, 0, 0, zone);
        MemberDecider.Apply(member, new MemberEvent("e1", MemberEventTypes.Purchase, bought) { OrderId = "O1", Amount = 1_200m }, options, bought);
        var heldAt = new DateTimeOffset(2026, 11, 23, 16, 0, 0, zone);

        var (_, first) = TickRecording(member, options, heldAt, new Dictionary<string, bool?> { ["birthday:2026"] = false });
        var held = Assert.Single(first.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);

        Assert.Equal(TouchDecisions.Deferred, held.Decision);
        var lastLook = new DateTimeOffset(2026, 11, 23, 21, 0, 0, zone) - TouchHold.LastLookMargin;
        Assert.Equal(lastLook, held.NotBefore);
        var (_, retry) = TickRecording(member, options, lastLook, new Dictionary<string, bool?> { ["birthday:2026"] = true });
        var sent = Assert.Single(retry.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);
        Assert.Equal((TouchDecisions.Sent, Codes.CodeFor("M1", "birthday:2026")), (sent.Decision, sent.CouponCode));

        // Held at that last look too, it is decided when the window closes, and suppressed then as an expired offer.
        var other = new MemberState { MemberId = "M2", Birthday = new DateOnly(1990, 11, 17) };
        MemberDecider.Apply(other, new MemberEvent("e1", MemberEventTypes.Purchase, bought) { OrderId = "O1", Amount = 1_200m }, options, bought);
        var again = Assert.Single(TickRecording(other, options, lastLook, new Dictionary<string, bool?> { ["birthday:2026"] = false }).Tick.Touches, t => t.Kind == TouchKinds.BirthdayBenefit);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, zone), again.NotBefore);
    }

    [Fact]
    public void AQuietTickWithNothingDueNamesNothingWithoutCopyingTheMember()
    {
        // Bought yesterday (no lifecycle boundary due), birthday months away, nothing waiting: the look-ahead must not
        // pay the member's copy and trial tick. On the birthday it does, and names the coupon.
        var options = new ProgramOptions();
        var birthday = new DateOnly(1990, 3, 1);
        MemberState Build()
        {
            var m = new MemberState { MemberId = "M1", Birthday = birthday };
            MemberDecider.Apply(m, new MemberEvent("e1", MemberEventTypes.Purchase, Noon.AddDays(-1)) { OrderId = "O1", Amount = 1_200m }, options, Noon.AddDays(-1));
            return m;
        }

        var member = Build();
        var copies = 0;
        MemberState Counting(MemberState m)
        {
            copies++;
            return Build(); // the same member, built again (the engine's own copy is internal)
        }

        Assert.Empty(MemberTick.OfferTouchesGoingOut(member, options, Noon, Counting));
        Assert.Equal(0, copies);

        birthday = new DateOnly(1990, Noon.Month, Noon.Day);
        member = Build();
        var named = GoodsTiedCoupons.StockWanted(member, MemberTick.OfferTouchesGoingOut(member, options, Noon, Counting), Offers, options);
        Assert.Equal(1, copies);
        Assert.Contains(named, w => w.GrantId == "birthday:2026");
    }

    private static List<string> Named(MemberState member, ProgramOptions options, DateTimeOffset now) =>
        [.. GoodsTiedCoupons.StockWanted(member, MemberTick.OfferTouchesGoingOut(member, options, now), Offers, options).Select(w => w.GrantId)];

    /// <summary>Runs the tick with the real hold, recording the goods-tied grants the hold is asked about.</summary>
    private static (List<string> Asked, MemberTickResult Tick) TickRecording(
        MemberState member, ProgramOptions options, DateTimeOffset now, Dictionary<string, bool?> inStock)
    {
        var asked = new List<string>();
        var tick = MemberDecider.Tick(
            member, options, now, r => OfferFulfilment.ForTouch(member, r, Offers, options, now),
            hold: r =>
            {
                if (OfferFulfilment.TouchGrant(r, Offers, options) is ({ Scope.Skus.Count: > 0 }, var grant))
                {
                    asked.Add(grant);
                }

                return GoodsTiedCoupons.HoldFor(member, r, Offers, options, now, inStock);
            }).Reply;
        return (asked, tick);
    }
}
