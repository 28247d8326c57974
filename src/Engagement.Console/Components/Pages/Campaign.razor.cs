using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The campaign page's log messages.</summary>
public partial class Campaign
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Audience estimate for campaign {CampaignId} failed; the page shows it as unavailable")]
    private static partial void LogEstimateFailed(ILogger logger, Exception exception, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live progress of campaign {CampaignId} could not be read; the page shows it as stale and tries again")]
    private static partial void LogProgressFailed(ILogger logger, Exception exception, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger of campaign {CampaignId} not confirmed (it may have started); the page reads its state again and offers the trigger again")]
    private static partial void LogTriggerNotConfirmed(ILogger logger, Exception exception, string campaignId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Action} of campaign {CampaignId} not confirmed; the page offers it again")]
    private static partial void LogControlNotConfirmed(ILogger logger, Exception exception, string action, string campaignId);
}
