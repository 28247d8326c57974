namespace Engagement.Api.Tests;

/// <summary>Waiting for background work (a fan-out, an index row) by polling a condition with a deadline, never by sleeping a fixed time.</summary>
internal static class Poll
{
    /// <summary>
    /// Reads until <paramref name="done"/> holds for a non-null value; fails the test after <paramref name="seconds"/>
    /// seconds, with what <paramref name="describe"/> says of the last value read (when given).
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> read, Func<T, bool> done, int seconds = 20, Func<T?, string>? describe = null)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (value is not null && done(value))
            {
                return value;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(seconds), $"condition not met within {seconds} s" + (describe is null ? "" : ": " + describe(value)));
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            await timer.WaitForNextTickAsync();
        }
    }
}
