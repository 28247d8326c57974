using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Shared;

/// <summary>The create form's audience check: its log messages.</summary>
public partial class CampaignAudienceCheck
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Audience estimate on the create form for campaign {CampaignId} failed; the form shows it as unavailable")]
    private static partial void LogEstimateFailed(ILogger logger, Exception exception, string campaignId);
}
