using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

public class TierTests
{
    [Theory]
    [InlineData(0, "V1")]
    [InlineData(999, "V1")]
    [InlineData(1_000, "V2")]
    [InlineData(4_999, "V2")]
    [InlineData(5_000, "V3")]
    [InlineData(19_999, "V3")]
    [InlineData(20_000, "V4")]
    public void TierFollowsTheDefaultThresholds(long growth, string tier)
    {
        Assert.Equal(tier, TierPolicy.Qualifying(new Domain.Program.ProgramOptions(), growth));
    }

    [Fact]
    public void PurchaseCanSkipTiersAndGrantsEveryBenefitUpToTheNewTier()
    {
        var member = new TestMember();

        var decision = member.Purchase("O-1", 25_000m);

        Assert.Equal("V4", member.Tier);
        Assert.Equal(["birthday-coupon", "priority-booking", "dedicated-advisor"], decision.BenefitsGranted.Select(b => b.Code));
        Assert.Equal([BenefitKinds.Coupon, BenefitKinds.Service, BenefitKinds.Privilege], member.State.Benefits.Select(b => b.Kind));
        Assert.All(member.State.Benefits, b => Assert.Equal(member.Now, b.GrantedAt));
        Assert.Equal(member.Now, member.State.TierSince);
    }

    [Fact]
    public void TierSinceIsInEventTimeWhateverOrderTheEventsArriveIn()
    {
        // A POS uploads its fortnight at once: every event is applied now, long after it occurred (CONTRACT.md §1.1).
        var member = new TestMember();
        var firstSeen = member.Now.AddDays(-12);
        member.Behave(MemberEventTypes.Login, firstSeen);
        Assert.Equal(("V1", firstSeen), (member.Tier, member.Summary.TierSince));

        member.Purchase("O-1", 3_000m, member.Now.AddDays(-3));
        Assert.Equal(("V2", member.Now.AddDays(-3)), (member.Tier, member.Summary.TierSince));

        // Late: 2,500 two days before O-1 reaches V3 only together with O-1, so on O-1's instant, not its own or now.
        member.Purchase("O-0", 2_500m, member.Now.AddDays(-5));
        Assert.Equal(("V3", member.Now.AddDays(-3)), (member.Tier, member.Summary.TierSince));

        // Late again, and enough alone for V4 on its own instant.
        member.Purchase("O-00", 20_000m, member.Now.AddDays(-8));
        Assert.Equal(("V4", member.Now.AddDays(-8)), (member.Tier, member.Summary.TierSince));
    }

    [Fact]
    public void TheFirstTierIsHeldSinceTheMemberWasFirstSeenEvenWhenAnOlderEventArrivesLater()
    {
        var member = new TestMember();
        member.Behave(MemberEventTypes.Browse, member.Now.AddHours(-2));
        member.Behave(MemberEventTypes.Browse, member.Now.AddDays(-4));

        Assert.Equal(member.Now.AddDays(-4), member.Summary.TierSince);
    }

    [Fact]
    public void BehaviourGrowthThatReachesAThresholdUpgradesAtOnce()
    {
        var member = new TestMember();
        member.Purchase("O-1", 995m);
        Assert.Equal("V1", member.Tier);

        var share = member.Behave(MemberEventTypes.Share);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(RuleIds.TierUpgrade, share.TierChange?.RuleId);
    }

    [Fact]
    public void RefundAfterUpgradeDropsTierWhenGrowthFallsBelowThreshold()
    {
        var member = new TestMember();
        member.Purchase("O-1", 500m);
        member.Purchase("O-2", 5_000m);
        Assert.Equal("V3", member.Tier);

        var refund = member.Refund("O-2", 5_000m);

        Assert.Equal("V1", member.Tier);
        Assert.Equal(new TierChange("V3", "V1", RuleIds.TierDowngradeRefund, member.Now, refund.TierChange!.Reason), refund.TierChange);
        var entry = refund.NewEntries.Single(e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((-2L, 1L), (entry.Delta, entry.BalanceAfter));
        Assert.Empty(member.State.Benefits);
    }

    [Fact]
    public void RefundThatLeavesEnoughGrowthKeepsTheTier()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1_500m);

        var refund = member.Refund("O-1", 400m);

        Assert.Equal("V2", member.Tier);
        Assert.Null(refund.TierChange);
    }

    [Fact]
    public void GrowthAgeingOutGivesAGraceThenDropsOneLevelThenAnotherGraceThenAnotherLevel()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 6_000m);
        Assert.Equal("V3", member.Tier);

        Tick(member, TestMember.Shanghai(2026, 1, 9, 23, 59));
        Assert.Equal("V3", member.Tier);
        Assert.Null(member.Summary.TierGraceUntil);

        Tick(member, TestMember.Shanghai(2026, 1, 10, 0, 0));
        Assert.Equal("V3", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);

        Assert.Empty(Tick(member, TestMember.Shanghai(2026, 2, 8, 23, 59)).Changes);
        var firstDrop = Tick(member, TestMember.Shanghai(2026, 2, 9, 0, 0));
        Assert.Equal("V2", member.Tier);
        var change = Assert.Single(firstDrop.Changes);
        Assert.Equal(("V3", "V2", RuleIds.TierDowngradeGrace), (change.From, change.To, change.RuleId));
        Assert.Equal(TestMember.Shanghai(2026, 3, 11, 0, 0), member.Summary.TierGraceUntil);
        Assert.Equal(["birthday-coupon"], member.State.Benefits.Select(b => b.Code));

        Tick(member, TestMember.Shanghai(2026, 3, 10, 23, 59));
        Assert.Equal("V2", member.Tier);

        var secondDrop = Tick(member, TestMember.Shanghai(2026, 3, 11, 0, 0));
        Assert.Equal("V1", member.Tier);
        Assert.Equal(RuleIds.TierDowngradeGrace, Assert.Single(secondDrop.NewEntries).RuleId);
        Assert.Null(member.Summary.TierGraceUntil);
        Assert.Empty(member.State.Benefits);
    }

    [Fact]
    public void ALatePurchaseThatLiftedTheTierOnTheDayBeforeOlderGrowthAgedOutGivesTheTierOnGrace()
    {
        // O-1 600 on 2025-01-10 ages out on 2026-01-10. O-2 500 occurred on 01-09 20:00 (growth 1,100: V2 then) and
        // arrives on 01-10 at 06:00 from an offline POS. In order the member moved up on 01-09 and is on V2's grace now.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 600m);
        member.Now = TestMember.Shanghai(2026, 1, 10, 6);
        member.Purchase("O-2", 500m, at: TestMember.Shanghai(2026, 1, 9, 20));

        Assert.Equal("V2", member.Tier);
        Assert.Equal(500, member.Growth);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);
        Assert.Contains(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Equal("V1", TierAfterTick(member, TestMember.Shanghai(2026, 2, 9, 0, 0)));
    }

    [Fact]
    public void ALatePurchaseWhoseTiersGraceRanOutSinceLeavesTheMemberWhereItWouldBeInOrder()
    {
        // The same purchase arriving on 03-01: V2 from 01-09, its grace ran out on 02-09, back to V1.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 600m);
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Purchase("O-2", 500m, at: TestMember.Shanghai(2026, 1, 9, 20));

        Assert.Equal("V1", member.Tier);
        Assert.Null(member.Summary.TierGraceUntil);
    }

    [Fact]
    public void ALateRefundThatOccurredBeforeItsOrdersGrowthAgedOutDropsTheTierAsInOrderNotOntoAGrace()
    {
        // O-1 1,000 on 2025-01-10 (V2) ages out on 2026-01-10. Its full refund occurred on 01-09 20:00 and arrives on
        // 01-10: in order the member dropped to V1 at once; judged today alone it kept V2 on a 30-day grace.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 1_000m);
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 1, 10, 6);

        var refund = member.Refund("O-1", 1_000m, at: TestMember.Shanghai(2026, 1, 9, 20));

        Assert.Equal(EventStatus.Applied, refund.Status);
        Assert.Equal("V1", member.Tier);
        Assert.Null(member.Summary.TierGraceUntil);
    }

    [Fact]
    public void ALateRefundDropsTheTierOnItsOwnDayAndTheGraceOfTheTierLeftRunsFromWhenItWouldInOrder()
    {
        // O-A 4,500 (2025-01-10) and O-B 600 (2025-06-01): V3. O-A ages out on 2026-01-10 (V3 on grace). A refund of O-B
        // that occurred on 01-09 20:00 arrives on 01-29: in order V2 at once on 01-09, V2's grace from 01-10, V1 on 02-09.
        var member = TierSteps.After(null, Step.Buy(TestMember.Shanghai(2025, 1, 10), "O-A", 4_500m), Step.Buy(TestMember.Shanghai(2025, 6, 1), "O-B", 600m));
        Assert.Equal("V3", member.Tier);
        Tick(member, TestMember.Shanghai(2026, 1, 10, 0, 0));
        member.Now = TestMember.Shanghai(2026, 1, 29);

        member.Refund("O-B", 600m, at: TestMember.Shanghai(2026, 1, 9, 20));

        Assert.Equal("V2", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);
        Assert.Equal("V1", TierAfterTick(member, TestMember.Shanghai(2026, 2, 10)));
    }

    [Fact]
    public void ALatePurchaseThatLetALaterPurchaseReachTheTierGivesItFromThenOnGrace()
    {
        // O-0 600 (2025-01-05) ages out on 2026-01-05. O-2 300 (01-03) and O-3 50 (01-04) were applied in order; a late
        // O-1 200 of 01-01 arrives on 01-06. In order growth was 1,100 on 01-03: V2 from then, on grace from 01-05.
        var member = TierSteps.After(null, Step.Buy(TestMember.Shanghai(2025, 1, 5), "O-0", 600m), Step.Buy(TestMember.Shanghai(2026, 1, 3), "O-2", 300m));
        member.Now = TestMember.Shanghai(2026, 1, 4);
        member.Purchase("O-3", 50m);
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 1, 6);

        member.Purchase("O-1", 200m, at: TestMember.Shanghai(2026, 1, 1));

        Assert.Equal("V2", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 4, 0, 0), member.Summary.TierGraceUntil);
    }

    [Fact]
    public void ALateSmallPurchaseOnADayThatAlreadyQualifiedChangesNoTier()
    {
        // O-1 1,200 (2025-01-10): V2, aged out on 2026-01-10, V1 since 02-09. A 10 CNY purchase of 01-05 arrives on 03-01:
        // the day already qualified for V2 without it, so in order it lifted nothing.
        var member = GrowthAgedOutOn20260110(1_200m);
        Tick(member, TestMember.Shanghai(2026, 2, 9, 0, 0));
        Assert.Equal("V1", member.Tier);
        var tierEntries = member.State.Ledger.Count(e => e.Kind == LedgerKinds.Tier);
        member.Now = TestMember.Shanghai(2026, 3, 1);

        var late = member.Purchase("O-2", 10m, at: TestMember.Shanghai(2026, 1, 5));

        Assert.Equal(EventStatus.Applied, late.Status);
        Assert.Equal("V1", member.Tier);
        Assert.Equal(tierEntries, member.State.Ledger.Count(e => e.Kind == LedgerKinds.Tier));
    }

    [Fact]
    public void AMemberOnGraceWhoBuysAndRefundsKeepsTheRestOfTheGrace()
    {
        // V2 from a year ago; growth aged out on 2026-01-10, grace until 02-09. A purchase on 01-20 qualifies the member
        // again (the grace ends), and its full refund on 01-21 must not cost the member the rest of the grace.
        var member = GrowthAgedOutOn20260110(1_200m);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);

        member.Now = TestMember.Shanghai(2026, 1, 20);
        member.Purchase("O-2", 1_000m);
        Assert.Null(member.Summary.TierGraceUntil);
        member.Now = TestMember.Shanghai(2026, 1, 21);
        var refund = member.Refund("O-2", 1_000m);

        Assert.Null(refund.TierChange);
        Assert.Equal("V2", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);
        Assert.Equal("V1", TierAfterTick(member, TestMember.Shanghai(2026, 2, 9, 0, 0)));
    }

    [Fact]
    public void ARefundAfterTheGraceItWouldHaveHadRanOutDropsOneLevelAsInOrderNotToWhatGrowthSupports()
    {
        // V3 on grace from 2026-01-10 (until 02-09); a purchase on 01-20 ends the grace; its refund comes on 02-19. In
        // order the member dropped to V2 on 02-09 with a new grace until 03-11: V2 now, not V1.
        var member = GrowthAgedOutOn20260110(6_000m);
        member.Now = TestMember.Shanghai(2026, 1, 20);
        member.Purchase("O-2", 5_000m);
        member.Now = TestMember.Shanghai(2026, 2, 19);

        var refund = member.Refund("O-2", 5_000m);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(("V3", "V2", RuleIds.TierDowngradeGrace), (refund.TierChange?.From, refund.TierChange?.To, refund.TierChange?.RuleId));
        Assert.Equal(TestMember.Shanghai(2026, 3, 11, 0, 0), member.Summary.TierGraceUntil);
    }

    [Fact]
    public void BuyingUpAndRefundingGainsNoGrace()
    {
        // The tier the refunded order itself reached drops at once, as before.
        var member = new TestMember(TestMember.Shanghai(2026, 1, 10));
        member.Purchase("O-1", 1_200m);
        Assert.Equal("V2", member.Tier);
        member.Now = TestMember.Shanghai(2026, 1, 11);

        member.Refund("O-1", 1_200m);

        Assert.Equal("V1", member.Tier);
        Assert.Null(member.Summary.TierGraceUntil);
    }

    [Fact]
    public void LateTickDropsLevelsAtTheInstantsEachGraceEnded()
    {
        var member = GrowthAgedOutOn20260110(6_000m);

        var late = Tick(member, TestMember.Shanghai(2026, 6, 1));

        Assert.Equal(
            [("V3", "V2", TestMember.Shanghai(2026, 2, 9, 0, 0)), ("V2", "V1", TestMember.Shanghai(2026, 3, 11, 0, 0))],
            late.Changes.Select(c => (c.From, c.To, c.At)));
        Assert.Equal(TestMember.Shanghai(2026, 3, 11, 0, 0), member.State.TierSince);
    }

    [Fact]
    public void TheGraceRunsFromTheDayGrowthAgedOutNotFromTheCheckThatNoticedIt()
    {
        // The growth of 10 January 2025 leaves the window at local midnight on 10 January 2026; the daily check runs at 15:00.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 6_000m);

        Tick(member, TestMember.Shanghai(2026, 1, 10, 15, 0));

        Assert.Equal("V3", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);
    }

    [Fact]
    public void AFirstCheckLongAfterGrowthAgedOutDropsLevelsWhereEachGraceWouldHaveEnded()
    {
        // Reminders did not run for months (an outage): the tiers come out as if every check had been on time.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 6_000m);

        var late = Tick(member, TestMember.Shanghai(2026, 6, 1));

        Assert.Equal(
            [("V3", "V2", TestMember.Shanghai(2026, 2, 9, 0, 0)), ("V2", "V1", TestMember.Shanghai(2026, 3, 11, 0, 0))],
            late.Changes.Select(c => (c.From, c.To, c.At)));
    }

    [Fact]
    public void AfterAGraceDropTheMemberStaysWhereTheRemainingGrowthQualifies()
    {
        var member = TierSteps.After(null, Step.Buy(TestMember.Shanghai(2025, 1, 10), "O-1", 6_000m), Step.Buy(TestMember.Shanghai(2025, 6, 1), "O-2", 2_000m));
        Tick(member, TestMember.Shanghai(2026, 1, 10, 0, 0));
        Assert.Equal(2_000, member.Growth);

        Tick(member, TestMember.Shanghai(2026, 2, 9, 0, 0));
        var later = Tick(member, TestMember.Shanghai(2026, 4, 1));

        Assert.Equal("V2", member.Tier);
        Assert.Empty(later.Changes);
        Assert.Null(member.Summary.TierGraceUntil);
    }

    [Fact]
    public void GrowthRecoveringDuringTheGraceEndsTheGrace()
    {
        var member = GrowthAgedOutOn20260110(1_200m);
        Assert.NotNull(member.Summary.TierGraceUntil);

        member.Now = TestMember.Shanghai(2026, 1, 20);
        member.Purchase("O-2", 1_000m);
        Tick(member, TestMember.Shanghai(2026, 3, 1));

        Assert.Equal("V2", member.Tier);
        Assert.Null(member.Summary.TierGraceUntil);
    }

    [Fact]
    public void ALatePurchaseThatKeptTheWindowQualifiedAfterTheGraceBeganMovesTheGraceToWhenItRanShort()
    {
        // O-0 400 (2024-12-01) and O-1 700 (2024-12-20) give V2. O-0 ages out on 2025-12-01: V2's grace runs to 12-31.
        // O-2 300 occurred on 2025-06-01 and arrives on 12-25 from an offline POS: in order the window held 1,000 until
        // O-1 aged out on 12-20, so the grace began then and runs to 2026-01-19, not 12-31.
        var member = TierSteps.After(null, Step.Buy(TestMember.Shanghai(2024, 12, 1), "O-0", 400m), Step.Buy(TestMember.Shanghai(2024, 12, 20), "O-1", 700m));
        Assert.Equal("V2", member.Tier);
        Tick(member, TestMember.Shanghai(2025, 12, 1, 0, 0));
        Assert.Equal(TestMember.Shanghai(2025, 12, 31, 0, 0), member.Summary.TierGraceUntil);

        member.Now = TestMember.Shanghai(2025, 12, 25);
        Assert.Equal(EventStatus.Applied, member.Purchase("O-2", 300m, at: TestMember.Shanghai(2025, 6, 1, 12)).Status);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 1, 19, 0, 0), member.Summary.TierGraceUntil);
        Assert.Empty(Tick(member, TestMember.Shanghai(2026, 1, 18, 23, 59)).Changes);
        Assert.Equal("V1", TierAfterTick(member, TestMember.Shanghai(2026, 1, 19, 0, 0)));
    }

    [Fact]
    public void SmallRefundDuringAGraceDoesNotCutTheGraceShort()
    {
        var member = TierSteps.After(null, Step.Buy(TestMember.Shanghai(2025, 1, 10), "O-1", 6_000m), Step.Buy(TestMember.Shanghai(2025, 12, 1), "O-2", 3_000m));
        Tick(member, TestMember.Shanghai(2026, 1, 10, 0, 0));
        Assert.Equal("V3", member.Tier);

        member.Now = TestMember.Shanghai(2026, 1, 12);
        var refund = member.Refund("O-2", 100m);

        Assert.Null(refund.TierChange);
        Assert.Equal("V3", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 2, 9, 0, 0), member.Summary.TierGraceUntil);
    }

    [Fact]
    public void DisabledBenefitIsNotGranted()
    {
        var member = new TestMember();
        member.Options.Benefits["birthday-coupon"].Enabled = false;
        member.Options.Benefits["free-gift-wrap"] = new BenefitDefinition { Name = "Gift wrap", Kind = BenefitKinds.Service, Tier = "V2" };

        member.Purchase("O-1", 1_000m);

        Assert.Equal(["free-gift-wrap"], member.State.Benefits.Select(b => b.Code));
    }

    [Fact]
    public void DowngradeKeepsTheBenefitsTheLowerTierIncludesWithTheirGrantDate()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1_000m);
        var couponGrantedAt = member.Now;
        member.Now = member.Now.AddDays(1);
        member.Purchase("O-2", 4_000m);
        Assert.Equal("V3", member.Tier);

        member.Refund("O-2", 4_000m);

        var coupon = Assert.Single(member.State.Benefits);
        Assert.Equal(("birthday-coupon", couponGrantedAt), (coupon.Code, coupon.GrantedAt));
    }

    private static TierDecision Tick(TestMember member, DateTimeOffset now)
    {
        member.Now = now;
        return TierPolicy.Reassess(member.State, member.Options, now);
    }

    /// <summary>The member's tier once the daily check has run at <paramref name="now"/> (the member's clock moved there).</summary>
    private static string TierAfterTick(TestMember member, DateTimeOffset now)
    {
        Tick(member, now);
        return member.Tier;
    }

    /// <summary>
    /// A member who bought <paramref name="amount"/> CNY (order O-1) on 2025-01-10 at 12:00 Shanghai time, with the daily
    /// check run at 00:00 Shanghai time on 2026-01-10, when that growth left the trailing 365-day window: above V1 the
    /// member keeps the tier on a 30-day grace until 2026-02-09 00:00 (CONTRACT.md §2, Tiers). Its clock stays at the check.
    /// </summary>
    private static TestMember GrowthAgedOutOn20260110(decimal amount)
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", amount);
        Tick(member, TestMember.Shanghai(2026, 1, 10, 0, 0));
        return member;
    }
}
