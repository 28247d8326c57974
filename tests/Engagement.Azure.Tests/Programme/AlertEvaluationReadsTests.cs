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
        await silo.StartAsync(new Dictionary<string, string?> { ["Engagement:Alerts:ComplaintMinActive"] = "1" });
        var yesterday = Today.AddDays(-1);
        var regions = Enumerable.Range(0, 12).Select(i => "q" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var region in regions)
        {
            await silo.Sink.ApplyAsync([.. Events([region + "-m"], "login", yesterday, region), .. Events([region + "-angry"], "complaint", yesterday, region)]);
        }

        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.GetAsync(null, 1);
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

    /// <summary>A health reader whose day reads, once held, wait until released, counting how many wait at once.</summary>
    private sealed class HeldReader(IProgrammeDaysReader inner) : IProgrammeDaysReader
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

        public async Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to)
        {
            if (!_holding)
            {
                return await inner.DaysAsync(regionId, from, to);
            }

            lock (_gate)
            {
                _reads++;
                _inFlight++;
                _mostInFlight = Math.Max(_mostInFlight, _inFlight);
            }

            try
            {
                await _released.Task;
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
