namespace Engagement.Api.Tests;

/// <summary>Waiting for background work (a fan-out, an index row) by polling a condition with a deadline, never by sleeping a fixed time.</summary>
internal static class Poll
{
    /// <summary>Reads until <paramref name="done"/> holds for a non-null value; fails the test after <paramref name="seconds"/> seconds.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> read, Func<T, bool> done, int seconds = 20)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (value is not null && done(value))
            {
                return value;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(seconds), $"condition not met within {seconds} s");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            await timer.WaitForNextTickAsync();
        }
    }
}
