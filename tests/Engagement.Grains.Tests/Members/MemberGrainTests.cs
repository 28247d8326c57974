using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

[Collection(MemberClusterCollection.Name)]
public sealed class MemberGrainTests(MemberClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task FirstPurchaseThenHalfRefundMatchesTheProgrammeRulesAndLedgerExplainsEachChange()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);

        var bought = await member.ApplyEventAsync(Events.Purchase(id, "O1", 1000.00m, Now.AddMinutes(-5)));
        Assert.Equal(ApplyStatus.Applied, bought.Status);
        var view = await member.GetViewAsync();
        Assert.NotNull(view);
        Assert.Equal(2000, view.PointsBalance);
        Assert.Equal(1000, view.GrowthValue);
        Assert.Equal("V2", view.Tier);

        await member.ApplyEventAsync(Events.Refund(id, "O1", 500.00m, Now.AddMinutes(-1)));
        view = await member.GetViewAsync();
        Assert.Equal(1000, view!.PointsBalance);
        Assert.Equal(500, view.GrowthValue);
        Assert.Equal("V1", view.Tier);

        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 50 });
        Assert.Equal(
            ["tier.downgrade.refund", "growth.refund", "points.refund", "tier.upgrade", "growth.purchase", "points.earn.first-purchase-double"],
            ledger.Entries.Select(e => e.RuleId).ToArray());
        Assert.All(ledger.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.Equal(-1000, ledger.Entries.Single(e => e.RuleId == "points.refund").Delta);
        Assert.Equal(1000, ledger.Entries.Single(e => e.RuleId == "points.refund").BalanceAfter);
    }

    [Fact]
    public async Task SameEventIdTwiceChangesNothingTheSecondTime()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var purchase = Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1));

        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(purchase)).Status);
        var before = await member.GetViewAsync();
        var repeat = await member.ApplyEventAsync(purchase);

        Assert.Equal(ApplyStatus.Duplicate, repeat.Status);
        var after = await member.GetViewAsync();
        Assert.Equal(before!.PointsBalance, after!.PointsBalance);
        Assert.Equal(before.GrowthValue, after.GrowthValue);
        Assert.Equal(2, (await member.GetLedgerAsync(new LedgerQuery())).Entries.Count); // points and growth, no tier move at 300
    }

    [Fact]
    public async Task UnknownMemberHasNoViewAndRefusesRedemption()
    {
        var member = cluster.Client.GetGrain<IMemberGrain>(MemberClusterFixture.NewMemberId());

        Assert.Null(await member.GetViewAsync());
        var result = await member.RedeemAsync(new RedemptionRequest { RedemptionId = "R1", Points = 10 });
        Assert.Equal(RedemptionStatus.UnknownMember, result.Status);
    }

    [Fact]
    public async Task RedemptionIsIdempotentByRedemptionIdAndRefusedWhileBalanceIsNegative()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 500m, Now.AddMinutes(-10)));

        var first = await member.RedeemAsync(new RedemptionRequest { RedemptionId = "R1", Points = 800, CashAmount = 12.5m });
        var again = await member.RedeemAsync(new RedemptionRequest { RedemptionId = "R1", Points = 800, CashAmount = 12.5m });
        Assert.Equal(RedemptionStatus.Accepted, first.Status);
        Assert.Equal(200, first.PointsBalance);
        Assert.Equal(8.00m, first.PointsValue);
        Assert.True(again.Replayed);
        Assert.Equal(200, (await member.GetViewAsync())!.PointsBalance);

        // Refunding the whole order takes back 1000 points of which 800 are spent: the balance goes negative.
        await member.ApplyEventAsync(Events.Refund(id, "O1", 500m, Now.AddMinutes(-1)));
        Assert.Equal(-800, (await member.GetViewAsync())!.PointsBalance);
        var refused = await member.RedeemAsync(new RedemptionRequest { RedemptionId = "R2", Points = 1 });
        Assert.Equal(RedemptionStatus.NegativeBalance, refused.Status);
    }

    [Fact]
    public async Task RefundBeyondWhatIsLeftOfTheOrderIsRejectedWithAReason()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 100m, Now.AddMinutes(-10)));

        var result = await member.ApplyEventAsync(Events.Refund(id, "O1", 150m, Now.AddMinutes(-1)));

        Assert.Equal(ApplyStatus.Rejected, result.Status);
        Assert.Contains("O1", result.Reason, StringComparison.Ordinal);
        Assert.Equal(200, (await member.GetViewAsync())!.PointsBalance);
    }

    [Fact]
    public async Task RefundBeforeItsPurchaseIsHeldAndAppliedWhenThePurchaseArrives()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);

        var held = await member.ApplyEventAsync(Events.Refund(id, "O9", 200m, Now.AddMinutes(-1)));
        Assert.Equal(ApplyStatus.Held, held.Status);
        await member.ApplyEventAsync(Events.Purchase(id, "O9", 1000m, Now.AddMinutes(-5)));

        var view = await member.GetViewAsync();
        Assert.Equal(1600, view!.PointsBalance);
        Assert.Equal(800, view.GrowthValue);
    }

    [Fact]
    public async Task LedgerPagesBackThroughTheWholeArchivedHistory()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        for (var i = 0; i < 60; i++)
        {
            await member.ApplyEventAsync(Events.Purchase(id, $"O{i}", 10m + i, Now.AddMinutes(-100 + i)));
        }

        var seen = new List<long>();
        long? before = null;
        do
        {
            var page = await member.GetLedgerAsync(new LedgerQuery { Kind = "points", Limit = 25, Before = before });
            seen.AddRange(page.Entries.Select(e => e.Sequence));
            before = page.NextBefore;
        }
        while (before is not null);

        // 60 purchases, one points entry each, newest first, none missing although the grain keeps only 50 ledger entries.
        Assert.Equal(60, seen.Count);
        Assert.Equal(seen.OrderByDescending(s => s), seen);
        Assert.Equal(60, seen.Distinct().Count());
    }

    [Fact]
    public async Task StateSurvivesDeactivation()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 6000m, Now.AddMinutes(-1)));
        var before = await member.GetViewAsync();

        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        var after = await cluster.Client.GetGrain<IMemberGrain>(id).GetViewAsync();
        Assert.Equal(before!.PointsBalance, after!.PointsBalance);
        Assert.Equal("V3", after.Tier);
        Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(Events.Purchase(id, "O1", 6000m, Now.AddMinutes(-1)))).Status);
    }

    [Fact]
    public async Task ReminderWritesPerPurchaseEventAreAboutZeroOverAThousandEvents()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => MemberClusterFixture.NewMemberId()).ToList();
        var before = MemberMetrics.ReminderRegistrationCount;

        foreach (var id in ids)
        {
            var member = cluster.Client.GetGrain<IMemberGrain>(id);
            for (var i = 0; i < 100; i++)
            {
                await member.ApplyEventAsync(Events.Purchase(id, $"O{i}", 20m, Now.AddMinutes(-200 + i)));
            }
        }

        // One registration per member, none per event: 10 writes for 1,000 purchases.
        var writes = MemberMetrics.ReminderRegistrationCount - before;
        Assert.Equal(ids.Count, writes);
        Assert.True(writes / 1000.0 <= 0.01);
    }

    [Fact]
    public async Task ConsentChangeOptsTheMemberOutOfAChannel()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Of(EventTypes.Register, id, Now.AddMinutes(-1)));

        var view = await member.SetConsentAsync(new Dictionary<string, bool> { ["sms"] = false });

        Assert.Contains("sms", view!.Caps.OptedOutChannels);
        Assert.False(view.Consent["sms"]);
    }

    [Fact]
    public async Task EventForAnotherMemberIsRejected()
    {
        var member = cluster.Client.GetGrain<IMemberGrain>(MemberClusterFixture.NewMemberId());

        var result = await member.ApplyEventAsync(Events.Purchase("someone-else", "O1", 10m, Now));

        Assert.Equal(ApplyStatus.Rejected, result.Status);
        Assert.Null(await member.GetViewAsync());
    }
}
