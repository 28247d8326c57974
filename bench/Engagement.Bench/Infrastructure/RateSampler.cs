using System.Diagnostics;
using System.Globalization;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Samples a running count every 50 ms. The sustained rate is taken between 10% and 90% of the total, so the
/// warm-up (silo start, first activations) and the tail (the last queue draining alone) do not blur it.
/// </summary>
internal sealed class RateSampler : IAsyncDisposable
{
    private readonly Func<long> _count;
    private readonly List<(double Seconds, long Count)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RateSampler(Func<long> count)
    {
        _count = count;
        _loop = RunAsync();
    }

    public double Elapsed => _clock.Elapsed.TotalSeconds;

    public static RateSampler Start(Func<long> count) => new(count);

    /// <summary>Waits until the count reaches <paramref name="target"/>; fails if it stops moving for <paramref name="stall"/>.</summary>
    public static async Task WaitForAsync(Func<long> count, long target, TimeSpan stall, string what, TimeSpan? deadline = null)
    {
        var started = Stopwatch.GetTimestamp();
        var last = count();
        var lastMove = Stopwatch.GetTimestamp();
        while (true)
        {
            var now = count();
            if (now >= target)
            {
                return;
            }

            if (now != last)
            {
                last = now;
                lastMove = Stopwatch.GetTimestamp();
            }
            else if (deadline is { } limit && Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{what}: only {now:N0} of {target:N0} after {limit.TotalSeconds:F0} s"));
            }
            else if (Stopwatch.GetElapsedTime(lastMove) > stall)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{what}: stuck at {now:N0} of {target:N0} for {stall.TotalSeconds:F0} s"));
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Events per second between 10% and 90% of <paramref name="total"/>.</summary>
    public double SustainedRate(long total)
    {
        var samples = Snapshot();
        var lo = samples.FirstOrDefault(s => s.Count >= total * 0.1);
        var hi = samples.FirstOrDefault(s => s.Count >= total * 0.9);
        if (hi.Seconds <= lo.Seconds || hi.Count <= lo.Count)
        {
            // Too few samples (a tiny run): fall back to the whole span from the first to the last event.
            return OverallRate(total);
        }

        return (hi.Count - lo.Count) / (hi.Seconds - lo.Seconds);
    }

    /// <summary>Events per second from the first counted event to the last.</summary>
    public double OverallRate(long total)
    {
        var samples = Snapshot();
        var first = samples.FirstOrDefault(s => s.Count > 0);
        var last = samples.FirstOrDefault(s => s.Count >= total);
        var span = (last.Count > 0 ? last.Seconds : Elapsed) - first.Seconds;
        return total / Math.Max(span, 0.05);
    }

    /// <summary>The longest time, in seconds, the count stood still between the first event and <paramref name="total"/>.</summary>
    public double LongestIdle(long total)
    {
        var samples = Snapshot();
        double longest = 0, since = -1;
        long last = -1;
        foreach (var (seconds, count) in samples.Where(s => s.Count > 0 && s.Count < total))
        {
            if (count != last)
            {
                last = count;
                since = seconds;
            }

            longest = Math.Max(longest, seconds - since);
        }

        return longest;
    }

    /// <summary>Seconds from the start until the count first reached <paramref name="count"/> (the last sample if it never did).</summary>
    public double SecondsAt(long count)
    {
        var samples = Snapshot();
        return samples.FirstOrDefault(s => s.Count >= count, samples[^1]).Seconds;
    }

    /// <summary>Seconds from the start until the first counted event.</summary>
    public double FirstAt() => Snapshot().FirstOrDefault(s => s.Count > 0).Seconds;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private List<(double Seconds, long Count)> Snapshot()
    {
        lock (_samples)
        {
            return [.. _samples, (Elapsed, _count())];
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        do
        {
            var sample = (Elapsed, _count());
            lock (_samples)
            {
                _samples.Add(sample);
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }
}
