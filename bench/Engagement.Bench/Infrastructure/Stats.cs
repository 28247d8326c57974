namespace Engagement.Bench.Infrastructure;

/// <summary>Small statistics helpers.</summary>
internal static class Stats
{
    /// <summary>The nearest-rank percentile (0–100) of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
