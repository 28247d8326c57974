using System.Diagnostics;

namespace Engagement.Console.Tests;

/// <summary>
/// The console tests' wait for work that no page element shows (the engine through the API, the audit table): polls a
/// probe every <see cref="PollEvery"/> until its value satisfies a condition or a deadline (real time, not the pinned
/// engine clock) passes. Page state is waited for with Playwright's own waits (<c>Expect</c>, <c>WaitForAsync</c>), not
/// with this.
/// </summary>
internal static class Eventually
{
    /// <summary>How long the helper sleeps between two probes: 100 ms.</summary>
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Probes until <paramref name="done"/> holds for the value read, and returns that value. The probe runs at least once,
    /// and once more after the deadline's last sleep. Fails the test (an xunit assertion failure) once
    /// <paramref name="timeout"/> has passed, with "Not within N s: <paramref name="what"/> (last seen: …)".
    /// </summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (waited.Elapsed >= timeout)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {what} (last seen: {last?.ToString() ?? "null"})");
            }

            await Task.Delay(PollEvery);
            last = await probe();
        }

        return last;
    }
}
