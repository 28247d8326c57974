using System.Globalization;
using Engagement.Domain.Members;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The points of live lots by when they expire (CONTRACT.md §2 lots, §5 <c>points</c>), so the programme's
/// outstanding points and liability exclude a lot from its expiry instant on, and its breakage counts on the day it
/// expired, whether or not the member's lifecycle tick has processed it yet (a member nobody touches keeps an expired
/// lot in its balance until its next tick).
/// </summary>
/// <remarks>
/// Each member contributes, on the aggregator of each lot's local expiry day, counter
/// <c>pointsExpiringAt:{bucket}</c>: the points still held by its lots expiring in that 15-minute bucket (UTC,
/// <see cref="BucketOf"/>; every zone offset is a multiple of 15 minutes, so a bucket lies in one local day). The member
/// moves it by the difference to what it last contributed (<see cref="MemberMetricState.Expiring"/>); when the tick
/// expires the lot the bucket returns to 0 and <see cref="MetricNames.PointsExpired"/> of the same day takes the
/// points, so a read counts them once either way (<see cref="DueOn"/>).
/// </remarks>
public static class ExpiringPoints
{
    /// <summary>Width of a bucket, seconds (15 minutes).</summary>
    public const long BucketSeconds = 900;

    /// <summary>The bucket of an expiry instant: 15-minute periods since the Unix epoch (UTC).</summary>
    public static long BucketOf(DateTimeOffset at) => Math.DivRem(at.ToUnixTimeSeconds(), BucketSeconds, out var rest) - (rest < 0 ? 1 : 0);

    /// <summary>The first instant of <paramref name="bucket"/>.</summary>
    public static DateTimeOffset StartOf(long bucket) => DateTimeOffset.FromUnixTimeSeconds(bucket * BucketSeconds);

    /// <summary>The counter of <paramref name="bucket"/>: <c>pointsExpiringAt:{bucket}</c>.</summary>
    public static string CounterOf(long bucket) => MetricNames.PointsExpiringPrefix + bucket.ToString(CultureInfo.InvariantCulture);

    /// <summary>The member's live lots (points left &gt; 0) by expiry bucket; null when it holds none.</summary>
    public static IReadOnlyDictionary<long, long>? Of(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        SortedDictionary<long, long>? buckets = null;
        foreach (var order in state.Orders)
        {
            if (order.Remaining > 0)
            {
                buckets ??= [];
                var bucket = BucketOf(order.ExpiresAt);
                buckets[bucket] = buckets.GetValueOrDefault(bucket) + order.Remaining;
            }
        }

        return buckets;
    }

    /// <summary>True when both schedules hold the same points in the same buckets (null is empty).</summary>
    public static bool Same(IReadOnlyDictionary<long, long>? a, IReadOnlyDictionary<long, long>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>
    /// Where <paramref name="expired"/> points that an outcome decided at <paramref name="now"/> expired belong: the
    /// earliest buckets of the schedule the member held before it that began by <paramref name="now"/> (lots expire
    /// soonest first, every lot past its instant at once), as (bucket, points) pairs; what the schedule cannot place (a
    /// member that contributed none yet, a lot bought and expired in the same outcome) is returned as <c>Unplaced</c>.
    /// </summary>
    public static (IReadOnlyList<(long Bucket, long Points)> Placed, long Unplaced) Place(IReadOnlyDictionary<long, long>? before, long expired, DateTimeOffset? now)
    {
        var placed = new List<(long, long)>();
        var left = expired;
        foreach (var (bucket, points) in (before ?? EmptySchedule).OrderBy(kv => kv.Key))
        {
            if (left <= 0 || StartOf(bucket) > now)
            {
                break;
            }

            var take = Math.Min(points, left);
            placed.Add((bucket, take));
            left -= take;
        }

        return (placed, Math.Max(0, left));
    }

    /// <summary>
    /// The day counters an outcome moves (region, local day, counter, delta): the expired points on the day each lot
    /// expired (what <see cref="MemberMetricState.Expiring"/> cannot place: on <see cref="MemberTransition.ExpiredDay"/>),
    /// and the schedule from <paramref name="state"/>'s (in the region it was counted in) to
    /// <see cref="MemberTransition.Expiring"/> in <paramref name="region"/>, only where they differ.
    /// </summary>
    public static IEnumerable<(string Region, DateOnly Day, string Counter, long Delta)> Moves(MemberMetricState state, MemberTransition transition, string region, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(options);
        var (placed, unplaced) = Place(state.Expiring, transition.PointsExpired, transition.DecidedAt);
        foreach (var (bucket, points) in placed)
        {
            yield return (region, options.LocalDay(StartOf(bucket), region), MetricNames.PointsExpired, points);
        }

        yield return (region, transition.ExpiredDay ?? transition.Day, MetricNames.PointsExpired, unplaced);
        var was = state.Segments?.RegionId ?? region;
        var moved = !string.Equals(was, region, StringComparison.Ordinal);
        if (!transition.ExpiringKnown || (!moved && Same(state.Expiring, transition.Expiring)))
        {
            yield break;
        }

        foreach (var (bucket, points) in state.Expiring ?? EmptySchedule)
        {
            if (moved || transition.Expiring?.GetValueOrDefault(bucket) != points)
            {
                yield return (was, options.LocalDay(StartOf(bucket), was), CounterOf(bucket), -points);
            }
        }

        foreach (var (bucket, points) in transition.Expiring ?? EmptySchedule)
        {
            if (moved || state.Expiring?.GetValueOrDefault(bucket) != points)
            {
                yield return (region, options.LocalDay(StartOf(bucket), region), CounterOf(bucket), points);
            }
        }
    }

    /// <summary>
    /// Points of lots on <paramref name="day"/> whose expiry has passed by <paramref name="now"/> (their whole bucket
    /// ended) but that no tick has processed yet: part of that day's breakage and no longer outstanding.
    /// </summary>
    public static long DueOn(DayCounters day, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(day);
        long due = 0;
        foreach (var (name, value) in day.Counters)
        {
            if (name.StartsWith(MetricNames.PointsExpiringPrefix, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(MetricNames.PointsExpiringPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bucket)
                && StartOf(bucket + 1) <= now)
            {
                due += value;
            }
        }

        return due;
    }

    private static readonly IReadOnlyDictionary<long, long> EmptySchedule = new Dictionary<long, long>();
}
