using System.Diagnostics;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>Waiting for background work: poll a condition until a deadline; never a fixed sleep.</summary>
public static class Poll
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > within)
            {
                throw new TimeoutException($"not reached within {within}: {what}");
            }

            await PauseAsync();
        }
    }

    /// <summary>
    /// Returns once <paramref name="condition"/> holds; after <paramref name="within"/> fails with <paramref name="what"/>
    /// and what <paramref name="describe"/> says of the state at that moment (so a timeout shows how far it got).
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, Func<Task<string>> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        try
        {
            await UntilAsync(condition, within, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "; last seen: " + await describe(), ex);
        }
    }

    /// <summary>One polling interval (a timer tick, so the test thread is free meanwhile).</summary>
    public static async Task PauseAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        await timer.WaitForNextTickAsync();
    }
}
