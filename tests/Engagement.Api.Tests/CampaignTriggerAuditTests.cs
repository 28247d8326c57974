using System.Reflection;
using Engagement.Api.Campaigns;
using Engagement.Api.Security;
using Engagement.Contracts.Campaigns;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Api.Tests;

/// <summary>
/// A campaign trigger and its audit row (CONTRACT.md §4, <c>GET /audit</c>): the trigger is idempotent in the campaign,
/// so when the audit write fails after the fan-out started, the client's retry must be what writes the row.
/// </summary>
public sealed class CampaignTriggerAuditTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ATriggerWhoseAuditWriteFailedIsAuditedByTheRetry()
    {
        var audit = new FailsFirstAuditLog();
        var commands = new CampaignCommands(Grains.Of(new StartsOnceCampaign()), audit, new FakeTimeProvider(Start));
        var user = ApiKeyIdentity.Principal("marketing:Wang Fang", "ApiKey")!;

        await Assert.ThrowsAsync<IOException>(() => commands.TriggerAsync("spring-sale", user));
        var retried = await commands.TriggerAsync("spring-sale", user);
        var again = await commands.TriggerAsync("spring-sale", user);

        Assert.Equal(CampaignTriggerResult.Already, retried.Status);
        Assert.Equal(CampaignTriggerResult.Already, again.Status);
        var row = Assert.Single(audit.Rows.Values);
        Assert.Equal("campaign.trigger|spring-sale", row.AuditId);
        Assert.Equal("campaign.trigger", row.Action);
        Assert.Equal("Wang Fang", row.Actor);
        Assert.Equal("marketing", row.Role);
        Assert.Equal("spring-sale", row.Target);
        Assert.Equal(Start, row.At);
    }

    /// <summary>A broadcast that starts on its first trigger and answers <c>already</c> after, as <c>CampaignGrain</c> does.</summary>
    private sealed class StartsOnceCampaign : ICampaignGrain
    {
        private bool _started;

        public Task<CampaignTriggerResult> TriggerAsync()
        {
            var status = _started ? CampaignTriggerResult.Already : CampaignTriggerResult.Started;
            _started = true;
            return Task.FromResult(new CampaignTriggerResult { Status = status });
        }

        public Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition) => throw new NotSupportedException();

        public Task<CampaignStatusView?> GetAsync() => throw new NotSupportedException();

        public Task<CampaignControlResult> PauseAsync() => throw new NotSupportedException();

        public Task<CampaignControlResult> ResumeAsync() => throw new NotSupportedException();

        public Task<CampaignResults?> GetResultsAsync() => throw new NotSupportedException();

        public Task<CampaignGrant> RequestGrantAsync(string memberId) => throw new NotSupportedException();

        public Task ReleasePendingGrantAsync(string memberId) => throw new NotSupportedException();

        public Task ReportOutcomeAsync(CampaignOutcomeReport report) => throw new NotSupportedException();

        public Task ReportPurchaseAsync(CampaignPurchaseReport report) => throw new NotSupportedException();

        public Task ForgetReportsAsync(IReadOnlyList<string> reportIds) => throw new NotSupportedException();
    }

    /// <summary>A grain factory that hands out one campaign grain for every campaign id.</summary>
    public class Grains : DispatchProxy
    {
        private ICampaignGrain? _campaign;

        internal static IGrainFactory Of(ICampaignGrain campaign)
        {
            var factory = Create<IGrainFactory, Grains>();
            ((Grains)(object)factory)._campaign = campaign;
            return factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && targetMethod.GetGenericArguments()[0] == typeof(ICampaignGrain)
                ? _campaign
                : throw new NotSupportedException(targetMethod?.Name);
    }
}
