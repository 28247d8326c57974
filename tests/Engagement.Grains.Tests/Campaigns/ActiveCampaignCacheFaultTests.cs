using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The silo's list of active triggered campaigns when the registry cannot answer: members match on the last list
/// and the failure is logged, whatever the call failed with; an event is never failed by it.
/// </summary>
public sealed class ActiveCampaignCacheFaultTests
{
    [Theory]
    [InlineData("storage timeout")]
    [InlineData("response timeout")]
    public async Task A_registry_that_cannot_answer_leaves_members_matching_on_the_last_list(string failure)
    {
        // A TaskCanceledException nobody here asked for (e.g. Orleans' activation timeout, or a port's SDK timeout in
        // a callee); a response that did not arrive, as Orleans' TimeoutException.
        var (grains, calls) = failure == "storage timeout"
            ? FailingGrains.StorageTimeout()
            : FailingGrains.Create(() => new TimeoutException("test: response did not arrive on time"));
        var log = new CapturedLog<ActiveCampaignCache>();
        using var cache = new ActiveCampaignCache(grains, Options.Create(new CampaignOptions { TriggeredRefreshInterval = TimeSpan.FromHours(1) }), log);

        Assert.Empty(await cache.GetAsync());

        Assert.Equal(1, calls.Calls);
        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.NotNull(warning.Exception);

        // Not asked again on every event until the interval is over.
        Assert.Empty(await cache.GetAsync());
        Assert.Equal(1, calls.Calls);
    }
}
