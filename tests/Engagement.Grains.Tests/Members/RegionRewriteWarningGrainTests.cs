using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The member grain warns about an event's rewritten <c>regionId</c> (docs/programme-health.md) through the silo's
/// logger: once per distinct id, for an event applied or held, never for one rejected.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class RegionRewriteWarningGrainTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AnAppliedEventWithARewrittenRegionIdIsWarnedAboutOnceThroughTheSiloLog()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var regionId = $"a b/c-{Guid.NewGuid():N}";

        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(Events.Of(EventTypes.Register, id, Now.AddMinutes(-2)) with { RegionId = regionId })).Status);
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(Events.Of(EventTypes.Login, id, Now.AddMinutes(-1)) with { RegionId = regionId })).Status);

        var warning = Assert.Single(cluster.Logs.Lines(LogLevel.Warning, $"Event regionId {regionId} counts under region"));
        Assert.Equal(typeof(MemberGrain).FullName, warning.Category);
        // Space and slash dropped, then cut at 32: "abc-" and the first 28 characters of the guid.
        Assert.StartsWith($"Event regionId {regionId} counts under region {("abc-" + regionId[6..])[..32]}: ", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeldRefundIsWarnedAboutAndARejectedEventIsNot()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var held = $"h e/ld-{Guid.NewGuid():N}";
        var rejected = $"r e/j-{Guid.NewGuid():N}";
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(Events.Purchase(id, "O1", 100m, Now.AddMinutes(-10)))).Status);

        // A refund waiting for its purchase counts in its own region once it applies; one beyond its order counts nowhere.
        Assert.Equal(ApplyStatus.Held, (await member.ApplyEventAsync(Events.Refund(id, "O9", 50m, Now.AddMinutes(-2)) with { RegionId = held })).Status);
        Assert.Equal(ApplyStatus.Rejected, (await member.ApplyEventAsync(Events.Refund(id, "O1", 150m, Now.AddMinutes(-1)) with { RegionId = rejected })).Status);

        Assert.Single(cluster.Logs.Lines(LogLevel.Warning, $"Event regionId {held} counts under region"));
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, $"Event regionId {rejected} "));
    }
}
