using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Azure;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// A member write refused on its ETag (another activation of the member wrote since: a silo handover, docs/scaling.md "What the logs
/// show on a rolling stop") is expected and safe: the change is dropped, the member reloads and a retry is applied to the newer
/// state, and the grain says so in one Warning sentence, with no stack trace.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class ETagConflictTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AChangeRefusedOnItsETagIsDroppedWithOneWarningSentenceAndTheRetryIsApplied()
    {
        var id = MemberClusterFixture.NewMemberId("etag");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 300m, Now.AddMinutes(-10)));
        var second = Events.Purchase(id, id + "-O2", 200m, Now.AddMinutes(-5));

        cluster.Faults.FailWritesAfter(id, 0, what => Refused(what, 412, "UpdateConditionNotSatisfied"));
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(second));
        Assert.Equal(600, (await member.GetViewAsync())!.PointsBalance);

        // The change's own line, and one for each write of confirmed effects refused meanwhile: all one sentence, no stack trace.
        var warnings = cluster.Logs.Lines(LogLevel.Warning, id + ": another activation of this member wrote it since this one read it (a silo handover)");
        Assert.Single(warnings, w => w.Message.Contains("storage refused this change; it is dropped", StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.Equal(typeof(MemberGrain).FullName, w.Category));
        Assert.All(warnings, w => Assert.Null(w.Exception));
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, id + ": a change failed before it was stored"));

        cluster.Faults.Heal(id);
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(second)).Status);
        Assert.Equal(800, (await member.GetViewAsync())!.PointsBalance);
        Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(second)).Status);
    }

    /// <summary>The official provider's shape: every 412/409/404 from the table wrapped in an InconsistentStateException.</summary>
    private static InconsistentStateException Refused(string what, int status, string code) =>
        new(what, "stored-etag", "this-copy-etag", new RequestFailedException(status, "The table refused the write.", code, null));

    [Theory]
    [InlineData(404, "ResourceNotFound")]
    [InlineData(409, "TableBeingDeleted")]
    public async Task ARefusalWrappedLikeAConflictButNotOnTheETagKeepsItsWarningWithTheException(int status, string code)
    {
        var id = MemberClusterFixture.NewMemberId("etag");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 300m, Now.AddMinutes(-10)));

        cluster.Faults.FailWritesAfter(id, 0, what => Refused(what, status, code));
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(Events.Purchase(id, id + "-O2", 200m, Now.AddMinutes(-5))));
        cluster.Faults.Heal(id);

        var warning = Assert.Single(cluster.Logs.Lines(LogLevel.Warning, id + ": a change failed before it was stored"));
        Assert.IsType<InconsistentStateException>(warning.Exception, exactMatch: false);
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, id + ": another activation"));
    }

    [Fact]
    public async Task AnyOtherWriteFailureKeepsItsWarningWithTheException()
    {
        var id = MemberClusterFixture.NewMemberId("etag");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 300m, Now.AddMinutes(-10)));

        cluster.Faults.FailWritesAfter(id, 0, what => new TimeoutException(what));
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(Events.Purchase(id, id + "-O2", 200m, Now.AddMinutes(-5))));
        cluster.Faults.Heal(id);

        var warning = Assert.Single(cluster.Logs.Lines(LogLevel.Warning, id + ": a change failed before it was stored"));
        Assert.NotNull(warning.Exception);
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, id + ": another activation"));
    }
}
