using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;

namespace Engagement.Grains.Tests.Campaigns;

[Collection(CampaignClusterCollection.Name)]
public sealed class TriggeredCampaignTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private static EngagementEvent SkincarePurchase(string memberId, string orderId, decimal amount, DateTimeOffset at, string region) => new()
    {
        EventId = "p-" + orderId,
        Type = EventTypes.Purchase,
        MemberId = memberId,
        OccurredAt = at,
        OrderId = orderId,
        Amount = amount,
        RegionId = region,
        Items = [new EventItem { Sku = "S1", Category = "skincare", Quantity = 1, UnitPrice = amount }],
    };

    private CampaignDefinition Triggered(string id, string region, long? maxGrants = null) =>
        CampaignTestKit.Triggered(id, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase, ItemCategory = "skincare", MinAmount = 200m }, maxGrants);

    [Fact]
    public async Task AMatchingPurchaseFiresOncePerMemberAndOthersDoNot()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = Triggered(scope, region);
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition)).Status);

        // Pick members outside the global control so the touch is expected.
        var ids = CampaignTestKit.ArmBuyers(scope).Take(3).ToList();
        var (buyer, small, elsewhere) = (ids[0], ids[1], ids[2]);

        await cluster.Client.GetGrain<IMemberGrain>(buyer).ApplyEventAsync(SkincarePurchase(buyer, buyer + "-1", 300m, Now.AddMinutes(-5), region));
        await cluster.Client.GetGrain<IMemberGrain>(buyer).ApplyEventAsync(SkincarePurchase(buyer, buyer + "-2", 400m, Now.AddMinutes(-4), region));
        await cluster.Client.GetGrain<IMemberGrain>(small).ApplyEventAsync(SkincarePurchase(small, small + "-1", 150m, Now.AddMinutes(-5), region));
        await cluster.Client.GetGrain<IMemberGrain>(elsewhere).ApplyEventAsync(SkincarePurchase(elsewhere, elsewhere + "-1", 300m, Now.AddMinutes(-5), scope + "-west"));

        var touches = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).ToList();
        var touch = Assert.Single(touches);
        Assert.Equal(buyer, touch.MemberId);
        Assert.Equal("SKIN500", touch.Offer);
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(small).GetCampaignMembershipAsync(definition.Id));
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(elsewhere).GetCampaignMembershipAsync(definition.Id));

        var view = (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).GetAsync())!;
        Assert.Equal(CampaignStatuses.Active, view.Status);
        Assert.Equal(1, view.Progress.Sent);
        Assert.Equal(1, view.GrantsReserved);
    }

    [Fact]
    public async Task TriggeredGrantsStopAtTheBudgetAndGlobalControlIsTrackedButNotTouched()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-north";
        var definition = Triggered(scope, region, maxGrants: 5);
        await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition);

        // Global-control members buy first, while the campaign still has budget (after that it stops listening).
        // Global control is a hash of the id (about 5%): 60 random ids had none about one run in twenty, so the 60 are
        // chosen from 400 candidates as up to 3 in global control and the rest outside it.
        var candidates = Enumerable.Range(0, 400).Select(i => new TestMember($"{scope}-{i}", region, "V1", false)).ToList();
        var inGlobal = candidates.Where(m => m.GlobalControl).Take(3).ToList();
        var members = inGlobal.Concat(candidates.Where(m => !m.GlobalControl).Take(60 - inGlobal.Count)).ToList();
        Assert.Contains(members, m => m.GlobalControl);
        foreach (var m in members)
        {
            await cluster.Client.GetGrain<IMemberGrain>(m.Id).ApplyEventAsync(SkincarePurchase(m.Id, m.Id + "-1", 250m, Now.AddMinutes(-5), region));
        }

        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).Distinct().ToList();
        Assert.Equal(5, touched.Count);
        Assert.DoesNotContain(touched, id => members.Single(m => m.Id == id).GlobalControl);

        var memberships = await CampaignTestKit.MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.All(members.Where(m => m.GlobalControl), m => Assert.Equal(CampaignGroups.GlobalControl, memberships[m.Id]?.Group));
        var view = (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).GetAsync())!;
        Assert.Equal(5, view.GrantsReserved);
        Assert.Equal(members.Count(m => m.GlobalControl), view.Progress.Excluded);
    }

    [Fact]
    public async Task APurchaseInAnotherCurrencyMeetsTheThresholdAndCountsAsRevenueInCny()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-west";
        var definition = Triggered(scope, region);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var buyer = CampaignTestKit.ArmBuyer(scope);
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);

        // 50 USD is 355 CNY: over the 200 CNY threshold, though the figure 50 is under it.
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-1", 50m, Now.AddMinutes(-5), region) with { Currency = "USD" });
        var membership = await member.GetCampaignMembershipAsync(definition.Id);
        Assert.NotNull(membership);
        Assert.Equal(CampaignGroups.Arm, membership.Group);

        // A purchase inside the attribution window: 100 USD is 710 CNY of campaign revenue, not 100.
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-2", 100m, Now, region) with { Currency = "USD" });
        var results = await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Converted > 0);

        Assert.Equal(1, results.Treated.Converted);
        Assert.Equal(100m * CampaignClusterFixture.UsdRate, results.Treated.Revenue);
        Assert.Equal(100m * CampaignClusterFixture.UsdRate, (await member.GetCampaignMembershipAsync(definition.Id))!.Revenue);
    }

    [Fact]
    public async Task ARefundOfAnAttributedPurchaseTakesItsRevenueBackAndOnlyOnce()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-south";
        var definition = Triggered(scope, region);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var buyer = CampaignTestKit.ArmBuyer(scope);
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);

        // The trigger purchase precedes the assignment (not revenue); the second is inside the window: 400 CNY.
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-1", 300m, Now.AddMinutes(-5), region));
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-2", 400m, Now, region));
        Assert.Equal(400m, (await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue == 400m)).Treated.Revenue);

        // 150 back of the attributed order (delivered twice), and a refund of the order the campaign never counted.
        var refund = Refund(buyer, buyer + "-2", 150m, "r1");
        await member.ApplyEventAsync(refund);
        await member.ApplyEventAsync(refund);
        await member.ApplyEventAsync(Refund(buyer, buyer + "-1", 300m, "r0"));
        var results = await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue != 400m);
        Assert.Equal(250m, results.Treated.Revenue);
        Assert.Equal(1, results.Treated.Converted);
        Assert.Equal(250m, (await member.GetCampaignMembershipAsync(definition.Id))!.Revenue);

        // The rest of it: nothing of the order is left as revenue.
        await member.ApplyEventAsync(Refund(buyer, buyer + "-2", 250m, "r2"));
        Assert.Equal(0m, (await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue != 250m)).Treated.Revenue);
    }

    [Fact]
    public async Task APurchaseMadeBeforeTheCampaignBeganAndUploadedLateFiresNothing()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-late";
        var definition = Triggered(scope, region); // valid from an hour ago
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition)).Status);
        var ids = CampaignTestKit.ArmBuyers(scope).Take(2).ToList();
        var (offline, online) = (ids[0], ids[1]);

        // An offline POS uploads a purchase made three hours ago, before the campaign began; another member buys now.
        await cluster.Client.GetGrain<IMemberGrain>(offline).ApplyEventAsync(SkincarePurchase(offline, offline + "-1", 300m, Now.AddHours(-3), region));
        await cluster.Client.GetGrain<IMemberGrain>(online).ApplyEventAsync(SkincarePurchase(online, online + "-1", 300m, Now.AddMinutes(-5), region));

        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(offline).GetCampaignMembershipAsync(definition.Id));
        Assert.NotNull(await cluster.Client.GetGrain<IMemberGrain>(online).GetCampaignMembershipAsync(definition.Id));
        var touch = Assert.Single(cluster.Outbox.Sent, t => t.CampaignId == definition.Id);
        Assert.Equal(online, touch.MemberId);
        Assert.Equal(1, (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).GetAsync())!.GrantsReserved);
    }

    [Fact]
    public async Task WhatALatePurchasesTierMoveGrantsReadsInTheLedgerOnTheSaleDayNotTheUploadDay()
    {
        // Campaigns for V2 members (one of points, one of a coupon) running since before the sale.
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var sale = Now.AddDays(-3);
        CampaignDefinition ForV2(string id, string region, CampaignOffer offer) =>
            Triggered(id, region) with { ValidFrom = Now.AddDays(-5), Audience = new CampaignAudience { Regions = [region], Tiers = ["V2"] }, Offer = offer };
        var points = ForV2(scope + "-p", scope + "-p", new CampaignOffer { Kind = OfferKinds.Points, Code = "V2PTS", UnitCost = 5m, Points = 500 });
        var coupon = ForV2(scope + "-c", scope + "-c", new CampaignOffer { Kind = OfferKinds.Coupon, Code = "V2CPN", UnitCost = 20m });
        foreach (var definition in new[] { points, coupon })
        {
            Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition)).Status);
            var region = definition.Audience.Regions[0];
            var buyer = CampaignTestKit.ArmBuyer(region);
            var member = cluster.Client.GetGrain<IMemberGrain>(buyer);

            // A V1 member buys 300 CNY now (no campaign: not V2); then an offline POS uploads its 1,000 CNY sale of three
            // days ago, which lifted it to V2 then (1,000 growth) and so fires the campaign.
            await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-now", 300m, Now.AddMinutes(-5), region));
            Assert.Null(await member.GetCampaignMembershipAsync(definition.Id));
            await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-late", 1000m, sale, region));
            Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(definition.Id))!.Group);

            var ledger = (await member.GetLedgerAsync(new LedgerQuery { Limit = 50 })).Entries;
            Assert.Equal(sale, Assert.Single(ledger, e => e.RuleId == "tier.upgrade").OccurredAt);
            var granted = Assert.Single(ledger, e => e.RuleId is "points.offer" or "coupon.issue");
            Assert.Equal(definition == points ? "points.offer" : "coupon.issue", granted.RuleId);
            Assert.Equal((sale, TimeSpan.Zero), (granted.OccurredAt, granted.OccurredAt.Offset));
            Assert.Equal(Now, granted.At); // recorded at the upload
        }
    }

    [Fact]
    public async Task ALatePurchaseThatOnlyCompletesALaterOnesGrowthDatesTheTierGrantWhenTheLaterPurchaseWasMade()
    {
        // A campaign for V2 members. The member buys 300 CNY five minutes ago (V1); then the POS uploads a 900 CNY sale of
        // three days ago: in event time growth reached 1,000 with the 300 purchase, so the tier (tierSince) and the grant
        // read five minutes ago, neither the late sale's day nor the upload.
        var id = "t" + Guid.NewGuid().ToString("N")[..8];
        var definition = Triggered(id, id) with
        {
            ValidFrom = Now.AddDays(-5), Audience = new CampaignAudience { Regions = [id], Tiers = ["V2"] },
            Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "V2PTS", UnitCost = 5m, Points = 500 },
        };
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(id).CreateAsync(definition)).Status);
        var buyer = CampaignTestKit.ArmBuyer(id);
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var reached = Now.AddMinutes(-5);
        var sale = Now.AddDays(-3);

        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-now", 300m, reached, id));
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-late", 900m, sale, id));

        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(id))!.Group);
        var ledger = (await member.GetLedgerAsync(new LedgerQuery { Limit = 50 })).Entries;
        Assert.Equal(reached, Assert.Single(ledger, e => e.RuleId == "tier.upgrade").OccurredAt);
        var granted = Assert.Single(ledger, e => e.RuleId == "points.offer");
        Assert.Equal((reached, Now), (granted.OccurredAt, granted.At));
    }

    [Fact]
    public async Task ALatePurchaseThatCompletesALaterOnesGrowthDatesAGrantWithNoTierAudienceAtItsSale()
    {
        // The same late move up to V2, but a campaign with no tier condition: the late 900 CNY sale fired it (the 150 CNY
        // purchase five minutes ago is under the trigger's 200), so its grant took effect at the sale, not at the reach.
        var id = "t" + Guid.NewGuid().ToString("N")[..8];
        var definition = Triggered(id, id) with
        {
            ValidFrom = Now.AddDays(-5), Audience = new CampaignAudience { Regions = [id] },
            Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "ANYPTS", UnitCost = 5m, Points = 500 },
        };
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(id).CreateAsync(definition)).Status);
        var buyer = CampaignTestKit.ArmBuyer(id);
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var reached = Now.AddMinutes(-5);
        var sale = Now.AddDays(-3);

        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-now", 150m, reached, id));
        await member.ApplyEventAsync(SkincarePurchase(buyer, buyer + "-late", 900m, sale, id));

        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(id))!.Group);
        var ledger = (await member.GetLedgerAsync(new LedgerQuery { Limit = 50 })).Entries;
        Assert.Equal(reached, Assert.Single(ledger, e => e.RuleId == "tier.upgrade").OccurredAt);
        var granted = Assert.Single(ledger, e => e.RuleId == "points.offer");
        Assert.Equal((sale.ToUniversalTime(), Now), (granted.OccurredAt, granted.At));
    }

    [Fact]
    public async Task ADeferredGrantLaterSuppressedStaysCountedSoTheBudgetGivesNoOneElseTheSameGrant()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var definition = Triggered(scope, scope + "-east", maxGrants: 1);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var ids = CampaignTestKit.ArmBuyers(scope).Take(2).ToList();

        // The first member's touch is deferred (its 500 points are credited then), and later suppressed.
        var first = await campaign.RequestGrantAsync(ids[0]);
        Assert.Equal(CampaignGroups.Arm, first.Group);
        await campaign.ReportOutcomeAsync(new CampaignOutcomeReport { MemberId = ids[0], Arm = first.Arm!, From = "", To = CampaignOutcomes.Deferred });
        await campaign.ReportOutcomeAsync(new CampaignOutcomeReport { MemberId = ids[0], Arm = first.Arm!, From = CampaignOutcomes.Deferred, To = CampaignOutcomes.Suppressed });

        // The member keeps what it was granted: the one grant of the budget is spent.
        Assert.Equal(1, (await campaign.GetAsync())!.GrantsReserved);
        var second = await campaign.RequestGrantAsync(ids[1]);
        Assert.Null(second.Delivery);
        Assert.Equal("budget exhausted", second.Reason);
    }

    [Fact]
    public async Task AGrantWhoseMemberWriteFailedIsCountedAndHeldOnceWhenTheEventIsRetried()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-retry";
        var definition = Triggered(scope, region, maxGrants: 5);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var candidates = Enumerable.Range(0, 400).Select(i => new TestMember($"{scope}-{i}", region, "V1", false)).ToList();
        var (buyer, held) = (candidates.First(m => !m.GlobalControl).Id, candidates.First(m => m.GlobalControl).Id);

        // Each member's first write fails after the campaign granted; the queue delivers the event again.
        foreach (var id in new[] { buyer, held })
        {
            var purchase = SkincarePurchase(id, id + "-1", 300m, Now.AddMinutes(-5), region);
            var member = cluster.Client.GetGrain<IMemberGrain>(id);
            cluster.Faults.Fail(id, Infrastructure.StorageFault.Write);
            await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(purchase));
            cluster.Faults.Heal(id);
            await member.ApplyEventAsync(purchase);
            Assert.NotNull(await member.GetCampaignMembershipAsync(definition.Id));
        }

        var view = (await campaign.GetAsync())!;
        Assert.Equal(1, view.GrantsReserved);
        Assert.Equal(2, view.Progress.Reached);
        Assert.Equal(1, view.Progress.Excluded);
        Assert.Single(cluster.Outbox.Sent, t => t.CampaignId == definition.Id);
    }

    [Fact]
    public async Task ATriggeredCampaignWhoseWindowEndedIsNoLongerListed()
    {
        // Nothing unlists a triggered campaign when its window simply ends; the registry (one grain state, read by every
        // silo) must not keep it, or months of campaigns fill it until no campaign can be listed at all.
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var ending = CampaignTestKit.Triggered(scope + "-ends", Now, scope + "-r", new CampaignTrigger { EventType = "purchase" }) with { ValidUntil = Now.AddHours(1) };
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(ending.Id).CreateAsync(ending)).Status);
        var registry = cluster.Client.GetGrain<ICampaignRegistryGrain>(0);
        Assert.Contains(await registry.ListActiveAsync(), d => d.Id == ending.Id);

        cluster.Time.Advance(TimeSpan.FromHours(2));
        var next = CampaignTestKit.Triggered(scope + "-next", Now, scope + "-r", new CampaignTrigger { EventType = "purchase" });
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(next.Id).CreateAsync(next)).Status);

        var listed = await registry.ListActiveAsync();
        Assert.DoesNotContain(listed, d => d.Id == ending.Id);
        Assert.Contains(listed, d => d.Id == next.Id);
    }

    [Fact]
    public async Task AGrantReleasedAfterTheBudgetRanOutListsTheCampaignAgainForTheNextMember()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-relist";
        var definition = Triggered(scope, region, maxGrants: 1);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var ids = CampaignTestKit.ArmBuyers(scope).Take(3).ToList();

        // The one grant is held when a second member asks: refused, and the campaign stops listening.
        var first = await campaign.RequestGrantAsync(ids[0]);
        Assert.Equal("budget exhausted", (await campaign.RequestGrantAsync(ids[1])).Reason);

        // The first member's touch is suppressed at once (nothing granted): the grant is free again.
        await campaign.ReportOutcomeAsync(new CampaignOutcomeReport { MemberId = ids[0], Arm = first.Arm!, From = "", To = CampaignOutcomes.Suppressed });
        Assert.Contains(await cluster.Client.GetGrain<ICampaignRegistryGrain>(0).ListActiveAsync(), d => d.Id == definition.Id);

        await cluster.Client.GetGrain<IMemberGrain>(ids[2]).ApplyEventAsync(SkincarePurchase(ids[2], ids[2] + "-1", 300m, Now.AddMinutes(-5), region));
        Assert.NotNull(await cluster.Client.GetGrain<IMemberGrain>(ids[2]).GetCampaignMembershipAsync(definition.Id));
        Assert.Equal(1, (await campaign.GetAsync())!.GrantsReserved);
    }

    private EngagementEvent Refund(string memberId, string orderId, decimal amount, string suffix) => new()
    {
        EventId = "r-" + orderId + "-" + suffix,
        Type = EventTypes.Refund,
        MemberId = memberId,
        OccurredAt = Now,
        OrderId = orderId,
        Amount = amount,
    };
}
