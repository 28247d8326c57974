using Engagement.Grains.Members.Effects;

namespace Engagement.Grains.Tests.Programme;

/// <summary>Reads a <see cref="MetricContributionHandler"/>'s private member lanes (for its tests only), under the lock the handler takes.</summary>
internal static class MetricLanes
{
    /// <summary>The members the handler keeps a lane for.</summary>
    public static int Count(MetricContributionHandler handler) => Lanes(handler).Count;

    /// <summary>
    /// Waits (polling, at most 10 s) until the member's lane holds a confirmation the member has not taken and its
    /// sender has stopped: the lane takes the aggregators' answer on its own thread, which may still be on its way to
    /// its await when a test gives the answer, so a test must not assume the confirmation is in once it has answered.
    /// </summary>
    public static async Task UntilConfirmedAsync(MetricContributionHandler handler, string memberId)
    {
        var lanes = Lanes(handler);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (lanes[memberId] is { } lane)
            {
                // The lane's set of confirmed contributions, whatever it keys them by: only its count is read.
                var done = lane.GetType().GetProperty("Done")!.GetValue(lane)!;
                var count = done.GetType().GetProperty("Count")!;
                var running = lane.GetType().GetProperty("Running")!;
                lock (lane)
                {
                    if ((int)count.GetValue(done)! > 0 && !(bool)running.GetValue(lane)!)
                    {
                        return;
                    }
                }
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the lane took no confirmation within 10 s");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>Waits (polling, at most 10 s) until the handler keeps <paramref name="count"/> lanes.</summary>
    public static async Task UntilCountAsync(MetricContributionHandler handler, int count)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (Count(handler) != count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"the handler kept {Count(handler)} lanes, not {count}, for 10 s");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
            await timer.WaitForNextTickAsync();
        }
    }

    private static System.Collections.IDictionary Lanes(MetricContributionHandler handler) =>
        (System.Collections.IDictionary)typeof(MetricContributionHandler)
            .GetField("_lanes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(handler)!;
}
