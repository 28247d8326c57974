using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;

namespace Engagement.Console.Services;

/// <summary>
/// A request sent but not confirmed (its audit write or its answer failed), kept in the tab's session storage under a
/// key until an answer comes, so a reload still offers the retry that completes it (as the adjustment form keeps its id).
/// Storage failures are logged and ignored: the request then lives only as long as the page.
/// </summary>
public static partial class PendingRequests
{
    /// <summary>The request stored under <paramref name="key"/>, or null when there is none (or it cannot be read).</summary>
    /// <typeparam name="T">The request's shape.</typeparam>
    /// <param name="js">The tab's JavaScript runtime.</param>
    /// <param name="key">The session storage key, e.g. <c>engagement.console.consent.{memberId}</c>.</param>
    /// <param name="log">Where a storage failure is logged.</param>
    public static async Task<T?> ReadAsync<T>(IJSRuntime js, string key, ILogger log)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(js);
        try
        {
            return await js.InvokeAsync<string?>("sessionStorage.getItem", key) is { Length: > 0 } json ? JsonSerializer.Deserialize<T>(json) : null;
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or JsonException or TaskCanceledException)
        {
            LogReadFailed(log, e, key);
            return null;
        }
    }

    /// <summary>Stores <paramref name="pending"/> under <paramref name="key"/>, or removes the key when it is null (answered).</summary>
    /// <typeparam name="T">The request's shape.</typeparam>
    /// <param name="js">The tab's JavaScript runtime.</param>
    /// <param name="key">The session storage key.</param>
    /// <param name="pending">The request sent, or null once an answer came.</param>
    /// <param name="log">Where a storage failure is logged.</param>
    public static async Task WriteAsync<T>(IJSRuntime js, string key, T? pending, ILogger log)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(js);
        try
        {
            if (pending is null)
            {
                await js.InvokeVoidAsync("sessionStorage.removeItem", key);
            }
            else
            {
                await js.InvokeVoidAsync("sessionStorage.setItem", key, JsonSerializer.Serialize(pending));
            }
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException)
        {
            LogWriteFailed(log, e, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the pending request {Key} from session storage")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep the pending request {Key} in session storage")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string key);
}

/// <summary>A coupon reissue sent but not confirmed: the member page reopens its form after a reload, which sends it again.</summary>
/// <param name="Code">The old coupon's code.</param>
/// <param name="Body">The body sent (its id and reason), sent again as it was.</param>
public sealed record PendingReissue(string Code, Engagement.Api.Support.CouponReissueBody Body)
{
    /// <summary>The session storage key of <paramref name="memberId"/>'s pending reissue (one per member at a time).</summary>
    /// <param name="memberId">The member whose coupon was reissued.</param>
    public static string Key(string memberId) => "engagement.console.reissue." + memberId;
}
