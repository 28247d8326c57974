using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The campaign list page's log messages.</summary>
public partial class Campaigns
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Creation of campaign {CampaignId} not confirmed (it may be stored); the page offers to create it again as sent")]
    private static partial void LogCreateNotConfirmed(ILogger logger, Exception exception, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The campaign list could not be read again; the page keeps the one shown")]
    private static partial void LogListNotRead(ILogger logger, Exception exception);
}
