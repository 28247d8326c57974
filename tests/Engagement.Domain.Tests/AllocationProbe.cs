using System.Diagnostics;

namespace Engagement.Domain.Tests;

/// <summary>Bytes a call allocates on this thread, for the tests that pin what the hot path allocates.</summary>
internal static class AllocationProbe
{
    /// <summary>
    /// The fewest bytes one call of <paramref name="act"/> allocated over <paramref name="calls"/> calls, and more until one
    /// allocates at most <paramref name="enough"/> or 10 s pass. A single measure is not the steady state: the first calls of a generic
    /// method over a struct run unoptimised code (which boxes where tier-1 code does not), and a GC inside the window
    /// adds to the count. Neither makes a call allocate less than it does, so the fewest is the figure.
    /// </summary>
    public static long FewestBytes(Action act, long enough = long.MaxValue, int calls = 20)
    {
        var fewest = long.MaxValue;
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        for (var call = 0; call < calls || (fewest > enough && Stopwatch.GetTimestamp() < deadline); call++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            act();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
