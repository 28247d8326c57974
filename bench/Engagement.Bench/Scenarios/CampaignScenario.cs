using Engagement.Bench.Reporting;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Campaign fan-out to a large audience. Runs once campaigns exist (an <c>ICampaignGrain</c> in
/// Engagement.Contracts); until then it reports itself as not available, so the table says so.
/// </summary>
internal static class CampaignScenario
{
    public static Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        var contracts = typeof(Engagement.Contracts.Members.IMemberGrain).Assembly;
        var campaignGrain = contracts.GetTypes().FirstOrDefault(t => t.IsInterface && t.Name == "ICampaignGrain");
        result.Details["audience"] = options.Audience;
        result.Status = ScenarioResult.NotAvailable;
        result.Message = campaignGrain is null
            ? "not available yet: campaigns have not landed (no ICampaignGrain in Engagement.Contracts)"
            : $"not available yet: {campaignGrain.FullName} exists but the bench has no fan-out driver for it yet";
        return Task.CompletedTask;
    }
}
