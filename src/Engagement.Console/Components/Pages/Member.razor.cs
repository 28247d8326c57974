using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member page's log messages, and its reload after a form's action.</summary>
public partial class Member
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A ledger page of member {MemberId} could not be read; the page says so and keeps the page shown")]
    private static partial void LogLedgerPageFailed(ILogger logger, Exception exception, string memberId);

    // The reload a form asks for after its action was confirmed. Its failure must reach the form, which then says the
    // action is saved and the page could not refresh (ActionRefresh). An event callback drops a cancelled task as if it
    // had worked, and a storage SDK timeout surfaces as a TaskCanceledException nobody asked for: it goes on as a timeout.
    private async Task ReloadAfterActionAsync()
    {
        try
        {
            await ReloadAsync();
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"Reading member {MemberId} again after an action was cancelled", e);
        }
    }
}
