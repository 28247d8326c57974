using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A broadcast's fan-out when the member index times out: a failure the campaign logs (its reminder resumes it from the last checkpoint), not a cancellation.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class FanOutFaultTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task A_member_index_read_that_times_out_is_logged_as_the_fan_out_stopping_not_taken_for_a_cancellation()
    {
        var scope = "fo" + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var definition = Broadcast(scope, now, new CampaignAudience { Regions = [scope + "-east"] });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);

        // The index table's SDK times out: a TaskCanceledException no token of the campaign's cancelled (its timer's
        // token is cancelled only when the grain deactivates).
        cluster.IndexTimeouts.ReadsTimeOutFor(definition.Id);
        try
        {
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (FanOutFailures(definition.Id).Count == 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20))
            {
                await poll.WaitForNextTickAsync();
            }
        }
        finally
        {
            cluster.IndexTimeouts.ReadsWork(definition.Id);
        }

        var failure = Assert.Single(FanOutFailures(definition.Id));
        Assert.Equal(typeof(CampaignGrain).FullName, failure.Category);
        Assert.IsType<TaskCanceledException>(failure.Exception);
    }

    private IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Exception)> FanOutFailures(string campaignId) =>
        cluster.Logs.Lines(LogLevel.Warning, $"Campaign {campaignId} fan-out stopped");
}
