using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member search page's log messages.</summary>
public partial class Members
{
    // Without the query: it may be a member's phone number.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Member search failed; the page says so and searches again when the agent types")]
    private static partial void LogSearchFailed(ILogger logger, Exception exception);
}
