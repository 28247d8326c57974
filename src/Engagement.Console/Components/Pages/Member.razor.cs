using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member page's log messages, and its reload after a form's action.</summary>
public partial class Member
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "A ledger page of member {MemberId} could not be read; the page says so and keeps the page shown")]
    private static partial void LogLedgerPageFailed(ILogger logger, Exception exception, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The phone of member {MemberId} could not be read from the member index ({Fault}); the page says so")]
    private static partial void LogPhoneFailed(ILogger logger, string memberId, string fault);

    // The phone as the API's search gives it to the viewer's role (MemberDirectory: masked 138****1234 for support, whole
    // for an admin; CONTRACT.md §4), from the member index by the member's own id: never more than the API shows that
    // role. None when the index has no row for the member yet (it is written after the member's state).
    private string? _phone;

    // The index could not be read: said so instead of "no phone".
    private bool _phoneFailed;

    private async Task LoadPhoneAsync()
    {
        _phone = null;
        _phoneFailed = false;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var hits = await Directory.SearchAsync(MemberId, Engagement.Api.Support.MemberDirectory.MaxLimit, user);
            _phone = hits.FirstOrDefault(h => h.MemberId == MemberId && h.Phone.Length > 0)?.Phone;
        }
        catch (Engagement.Api.Support.MemberSearchFailedException e)
        {
            // Logged without the exception: its inner storage message may carry a phone (MemberSearchFailedException).
            LogPhoneFailed(Log, MemberId, e.Fault);
            _phoneFailed = true;
        }
    }

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
