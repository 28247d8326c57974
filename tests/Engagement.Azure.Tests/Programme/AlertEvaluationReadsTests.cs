using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// An alert evaluation reads its regions' days 8 at once (<c>AlertsGrain.ConcurrentReads</c>), not one after another
/// (201 reads end to end passed the caller's 30 s on a loaded machine), and judges them in the same order whatever order
/// the reads finish in. The reads are held by the test (<see cref="HeldReader"/>), so what is asserted is how many are in
/// flight at once, never how long anything takes.
/// </summary>
public sealed class AlertEvaluationReadsTests
{
    private const int ConcurrentReads = 8;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnEvaluationReadsEightRegionsAtOnceNeverMoreAndRaisesWhatOneAtATimeRaised()
    {
        HeldReader? held = null;
        await using var silo = new ProgrammeSilo { DaysReader = inner => held = new HeldReader(inner) };
        var (alerts, regions) = await StartWithComplaintsAsync(silo);
        held!.Hold();

        var evaluation = alerts.EvaluateAsync();
        // One at a time, the first read would wait alone here and the evaluation never start a second.
        await Eventually.TrueAsync(() => held.InFlight == ConcurrentReads, Deadline, "8 region reads in flight at once");
        Assert.False(evaluation.IsCompleted);
        held.Release();
        var open = await evaluation;

        Assert.Equal(ConcurrentReads, held.MostInFlight); // 13 ranges (the programme and 12 regions), never more than 8 at once
        Assert.Equal(regions.Count + 1, held.Reads);
        Assert.Equal(
            regions.Select(r => $"complaints.high:{r}:1").Prepend("complaints.high:all:1").Order(StringComparer.Ordinal),
            open.Where(a => a.Rule == AlertRules.ComplaintsHigh).Select(a => a.AlertId).Order(StringComparer.Ordinal));
        Assert.All(open.Where(a => a.Rule == AlertRules.ComplaintsHigh), a => Assert.Equal(1.0, a.Value)); // each region's one active member complained
    }

    [Fact]
    public async Task ReadsFinishingInReverseOrderRaiseAndPublishInTheJudgedOrder()
    {
        HeldReader? held = null;
        await using var silo = new ProgrammeSilo { DaysReader = inner => held = new HeldReader(inner) };
        var (alerts, _) = await StartWithComplaintsAsync(silo);
        // The judged order: the programme, then the regions as the reader lists them.
        var judged = (await silo.Reader.GetRegionsAsync()).Where(r => r.StartsWith('q')).Prepend(AlertRules.AllRegions).ToList();
        Assert.Equal(13, judged.Count);
        held!.Hold();

        var evaluation = alerts.EvaluateAsync();
        // Each time the reads that can wait are waiting, the one of the last region finishes first (the programme's when
        // no region's is left): the reads finish in about the reverse of the judged order.
        var finished = new List<string>();
        while (finished.Count < judged.Count)
        {
            var waiting = Math.Min(ConcurrentReads, judged.Count - finished.Count);
            await Eventually.TrueAsync(() => held.Waiting == waiting, Deadline, $"{waiting} reads waiting after {finished.Count} finished");
            finished.Add(held.ReleaseLast() ?? AlertRules.AllRegions);
        }

        await evaluation;
        Assert.NotEqual(judged, finished);
        Assert.Equal(AlertRules.AllRegions, finished[^1]);
        var published = (await silo.AlertMessagesAsync()).Where(a => a.Rule == AlertRules.ComplaintsHigh).Select(a => a.RegionId).ToList();
        Assert.Equal(judged, published);
    }

    /// <summary>
    /// Starts <paramref name="silo"/> with 12 regions (q00–q11) whose one active member each complained yesterday (a
    /// <c>complaints.high</c> in each and in the programme), its alerts grain active; returns the grain and the regions.
    /// </summary>
    private static async Task<(IAlertsGrain Alerts, List<string> Regions)> StartWithComplaintsAsync(ProgrammeSilo silo)
    {
        await silo.StartAsync(new Dictionary<string, string?> { ["Engagement:Alerts:ComplaintMinActive"] = "1" });
        var yesterday = Today.AddDays(-1);
        var regions = Enumerable.Range(0, 12).Select(i => "q" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var region in regions)
        {
            await silo.Sink.ApplyAsync([.. Events([region + "-m"], "login", yesterday, region), .. Events([region + "-angry"], "complaint", yesterday, region)]);
        }

        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.GetAsync(null, 1);
        return (alerts, regions);
    }

    /// <summary>A health reader whose day reads, once held, wait until released, counting how many wait at once.</summary>
    private sealed class HeldReader(IProgrammeDaysReader inner) : IProgrammeDaysReader
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(string? Region, TaskCompletionSource Released)> _waiting = [];
        private readonly Lock _gate = new();
        private volatile bool _holding;
        private int _inFlight;
        private int _mostInFlight;
        private int _reads;

        public int InFlight
        {
            get
            {
                lock (_gate)
                {
                    return _inFlight;
                }
            }
        }

        public int MostInFlight
        {
            get
            {
                lock (_gate)
                {
                    return _mostInFlight;
                }
            }
        }

        public int Reads
        {
            get
            {
                lock (_gate)
                {
                    return _reads;
                }
            }
        }

        public void Hold() => _holding = true;

        public void Release() => _released.TrySetResult();

        /// <summary>Held reads not yet released (by <see cref="ReleaseLast"/>; <see cref="Release"/> releases all at once).</summary>
        public int Waiting
        {
            get
            {
                lock (_gate)
                {
                    return _waiting.Count;
                }
            }
        }

        /// <summary>Releases the waiting read of the region last in ordinal order (the programme, null, first in that order, so released last); returns its region.</summary>
        public string? ReleaseLast()
        {
            (string? Region, TaskCompletionSource Released) last;
            lock (_gate)
            {
                last = _waiting.OrderBy(w => w.Region ?? "", StringComparer.Ordinal).Last();
                _waiting.Remove(last);
            }

            last.Released.TrySetResult();
            return last.Region;
        }

        public async Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to)
        {
            if (!_holding)
            {
                return await inner.DaysAsync(regionId, from, to);
            }

            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _reads++;
                _inFlight++;
                _mostInFlight = Math.Max(_mostInFlight, _inFlight);
                _waiting.Add((regionId, mine));
            }

            try
            {
                await Task.WhenAny(_released.Task, mine.Task);
                return await inner.DaysAsync(regionId, from, to);
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight--;
                }
            }
        }

        public Task<long> MembersAsync(string? regionId) => inner.MembersAsync(regionId);
    }
}
