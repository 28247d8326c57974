using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;

namespace Engagement.Console.Services;

/// <summary>
/// The member page's reload after an action the engine confirmed (an adjustment, a consent change, a coupon reissue),
/// kept apart from the action: the action's answer is already known, so a reload that fails or times out afterwards
/// never turns it into "not confirmed". The form then says the action is saved and only the page is out of date.
/// </summary>
public static partial class ActionRefresh
{
    /// <summary>
    /// Invokes <paramref name="refresh"/> (the page's reload). Returns false, after logging a warning with the
    /// exception, when it throws (a timeout, a storage failure); the caller words "saved; reload the page".
    /// A lost circuit (<see cref="JSDisconnectedException"/>) is not caught: nobody is left to tell.
    /// </summary>
    /// <param name="refresh">The page's reload callback.</param>
    /// <param name="log">The form's logger.</param>
    /// <param name="action">What was confirmed, e.g. <c>adjustment</c>, <c>consent change</c>, <c>coupon reissue</c> (no personal data).</param>
    /// <param name="memberId">The member the action changed.</param>
    public static async Task<bool> TryAsync(EventCallback refresh, ILogger log, string action, string memberId)
    {
        try
        {
            await refresh.InvokeAsync();
            return true;
        }
        catch (Exception e) when (e is not JSDisconnectedException)
        {
            LogRefreshFailed(log, e, action, memberId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Action} of member {MemberId} was confirmed, but the member page could not be read again; the form says so")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string action, string memberId);
}
