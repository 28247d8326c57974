namespace Engagement.Azure.Tests.Streaming;

/// <summary>Polls a condition until it holds or a deadline passes; the way these tests wait for background work.</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(PollEvery);
        T last = await probe();
        while (!condition(last))
        {
            try
            {
                await timer.WaitForNextTickAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds:0.#} s: {what} (last seen: {last})");
            }

            last = await probe();
        }

        return last;
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        ReturnsAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        ReturnsAsync(condition, ok => ok, timeout, what);
}
