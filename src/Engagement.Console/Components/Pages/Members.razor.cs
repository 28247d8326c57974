using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member search page's log messages.</summary>
public partial class Members
{
    // Without the query and without the exception: the query may be a member's phone number, and a storage failure's
    // message can carry it (the request URI with the table filter).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Member search failed ({Fault}, status {Status}) for a {QueryKind} query of {QueryLength} characters; the page says so and searches again when the agent types")]
    private static partial void LogSearchFailed(ILogger logger, string fault, int? status, string queryKind, int queryLength);
}
