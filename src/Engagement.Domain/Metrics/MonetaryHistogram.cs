namespace Engagement.Domain.Metrics;

/// <summary>
/// The programme's monetary distribution as exact counts in log-scale buckets (10 per decade of CNY): the gauges
/// <c>monetary:{bucket}</c> move by ±1 as members' trailing 365-day monetary changes. Value classes by rank
/// (CONTRACT.md §2) are read from it by <see cref="ValueClassThresholds.From"/>.
/// </summary>
public static class MonetaryHistogram
{
    /// <summary>Buckets per decade of CNY (relative width 10^0.1 ≈ 1.26).</summary>
    public const int PerDecade = 10;

    /// <summary>The highest bucket (monetary ≥ 10^8 CNY).</summary>
    public const int MaxBucket = 8 * PerDecade + 1;

    /// <summary>Bucket 0 for monetary below 1 CNY, else 1 + floor(10·log10(monetary)), at most <see cref="MaxBucket"/>.</summary>
    public static int BucketOf(decimal monetary)
    {
        if (monetary < 1m)
        {
            return 0;
        }

        var bucket = 1 + (int)Math.Floor(PerDecade * Math.Log10((double)monetary) + 1e-9);
        return Math.Min(bucket, MaxBucket);
    }

    /// <summary>The least monetary (CNY) of <paramref name="bucket"/>: 0 for bucket 0, else 10^((bucket − 1)/10), rounded to 2 decimals.</summary>
    public static decimal LowerBound(int bucket) =>
        bucket <= 0 ? 0m : Math.Round((decimal)Math.Pow(10, (bucket - 1) / (double)PerDecade), 2, MidpointRounding.ToZero);
}

/// <summary>
/// The monetary thresholds of value classes by rank (CONTRACT.md §2): A the top <see cref="AShare"/>, B the next
/// <see cref="BShare"/>, C the rest, at bucket resolution (a class never takes more than its share).
/// </summary>
public sealed record ValueClassThresholds
{
    /// <summary>Monetary (CNY) from which a member is A; <see cref="decimal.MaxValue"/> when no bucket fits.</summary>
    public decimal A { get; init; } = decimal.MaxValue;

    /// <summary>Monetary (CNY) from which a member is B (below <see cref="A"/>).</summary>
    public decimal B { get; init; } = decimal.MaxValue;

    /// <summary>Share of members in A (default 0.15).</summary>
    public double AShare { get; init; } = 0.15;

    /// <summary>Share of members in B (default 0.35).</summary>
    public double BShare { get; init; } = 0.35;

    /// <summary>Members the histogram counted.</summary>
    public long Members { get; init; }

    /// <summary>When it was computed (UTC).</summary>
    public DateTimeOffset ComputedAt { get; init; }

    /// <summary>A, B or C for a member with <paramref name="monetary"/> CNY.</summary>
    public string ClassOf(decimal monetary) => monetary >= A && A > 0 ? "A" : monetary >= B && B > 0 ? "B" : "C";

    /// <summary>Thresholds from bucket counts (bucket → members).</summary>
    public static ValueClassThresholds From(IReadOnlyDictionary<int, long> buckets, double aShare, double bShare, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var total = buckets.Values.Where(v => v > 0).Sum();
        return new ValueClassThresholds
        {
            A = Threshold(buckets, aShare * total),
            B = Threshold(buckets, (aShare + bShare) * total),
            AShare = aShare,
            BShare = bShare,
            Members = total,
            ComputedAt = now,
        };
    }

    private static decimal Threshold(IReadOnlyDictionary<int, long> buckets, double allowed)
    {
        var threshold = decimal.MaxValue;
        long above = 0;
        for (var b = MonetaryHistogram.MaxBucket; b >= 1; b--)
        {
            above += Math.Max(0, buckets.GetValueOrDefault(b));
            if (above > allowed)
            {
                break;
            }

            if (buckets.GetValueOrDefault(b) > 0)
            {
                threshold = MonetaryHistogram.LowerBound(b);
            }
        }

        return threshold;
    }
}
