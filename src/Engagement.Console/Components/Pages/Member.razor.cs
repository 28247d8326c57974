using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member page's log messages.</summary>
public partial class Member
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A ledger page of member {MemberId} could not be read; the page says so and keeps the page shown")]
    private static partial void LogLedgerPageFailed(ILogger logger, Exception exception, string memberId);
}
