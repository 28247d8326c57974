using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>Advisor assignments made on the member's event and tick paths (Domain/Offers/BenefitUses), through the real grain and outbox.</summary>
[Collection(MemberClusterCollection.Name)]
public sealed class MemberBenefitTests(MemberClusterFixture cluster)
{
    private Task TickAsync(string memberId)
    {
        var now = cluster.Time.GetUtcNow().UtcDateTime;
        return cluster.Client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }

    [Fact]
    public async Task AV4MemberGetsOneAdvisorAssignmentTouchAndAWinBackL2RecordsItsAssignmentOnItsOwnTouch()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // the touches outside quiet hours, whatever the tests before left
        var (vip, quiet) = (MemberClusterFixture.NewMemberId(), MemberClusterFixture.NewMemberId());
        var now = cluster.Time.GetUtcNow();
        await cluster.Client.GetGrain<IMemberGrain>(vip).ApplyEventAsync(Events.Purchase(vip, "O1", 20_000m, now.AddMinutes(-2)));
        await cluster.Client.GetGrain<IMemberGrain>(vip).ApplyEventAsync(Events.Purchase(vip, "O2", 80m, now.AddMinutes(-1)));
        await TickAsync(vip);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == vip && t.Kind == "advisor.assignment");
        var vipUse = Assert.Single((await cluster.Client.GetGrain<IMemberGrain>(vip).GetViewAsync())!.BenefitGrants);
        Assert.Equal(("dedicated-advisor", "used"), (vipUse.Code, vipUse.Kind));

        await cluster.Client.GetGrain<IMemberGrain>(quiet).ApplyEventAsync(Events.Purchase(quiet, "O1", 300m, now.AddMinutes(-1)));
        for (var day = 1; day <= 38; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(quiet);
        }

        var use = Assert.Single((await cluster.Client.GetGrain<IMemberGrain>(quiet).GetViewAsync())!.BenefitGrants);
        Assert.StartsWith("advisor:winback:", use.UseId, StringComparison.Ordinal);
        Assert.Contains("win-back L2", use.Detail, StringComparison.Ordinal);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == quiet && t.Kind == "winback.l2");
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == quiet && t.Kind == "advisor.assignment");
    }
}
