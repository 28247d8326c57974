using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Azurite's CPU per queue operation against the number of messages stored on the queues: sampled every second
/// while a backlog fills (one Put Message per event) and while a bare loop drains it (Get Messages and Delete
/// Message), from <c>/proc/$AZURITE_PID/stat</c>. Azurite 3.x scans a queue's stored messages on each operation,
/// so the cost per operation grows with the backlog; Azure Storage's does not.
/// </summary>
internal sealed class AzuriteLoad : IAsyncDisposable
{
    private readonly Func<long> _stored;
    private readonly Func<long> _operations;
    private readonly List<(long Stored, double CpuSeconds, long Operations)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private AzuriteLoad(Func<long> stored, Func<long> operations)
    {
        _stored = stored;
        _operations = operations;
        _loop = RunAsync();
    }

    /// <summary>Whether AZURITE_PID names a readable process (otherwise nothing is sampled).</summary>
    public static bool Available => CpuSample.Take().Azurite is not null;

    public static AzuriteLoad Start(Func<long> stored, Func<long> operations) => new(stored, operations);

    /// <summary>
    /// Writes µs of Azurite CPU per queue operation for each fifth of the stored-message range into
    /// <paramref name="result"/>'s details as <c>{prefix}.azurite_us_per_op.stored_{low}-{high}</c>; returns
    /// the (stored, µs) pairs, lowest band first.
    /// </summary>
    public async Task<IReadOnlyList<(long Stored, double MicrosecondsPerOperation)>> ReportAsync(ScenarioResult result, string prefix)
    {
        await DisposeAsync();
        var steps = _samples.Zip(_samples.Skip(1), (a, b) => (Stored: (a.Stored + b.Stored) / 2, Cpu: b.CpuSeconds - a.CpuSeconds, Ops: b.Operations - a.Operations))
            .Where(s => s.Ops > 0)
            .ToList();
        if (steps.Count == 0)
        {
            return [];
        }

        var max = Math.Max(1, steps.Max(s => s.Stored));
        var bands = new List<(long Stored, double MicrosecondsPerOperation)>();
        for (var band = 0; band < 5; band++)
        {
            var low = max * band / 5;
            var high = max * (band + 1) / 5;
            var inBand = steps.Where(s => s.Stored >= low && (s.Stored < high || (band == 4 && s.Stored <= high))).ToList();
            var ops = inBand.Sum(s => s.Ops);
            if (ops == 0)
            {
                continue;
            }

            var perOp = inBand.Sum(s => s.Cpu) * 1e6 / ops;
            result.Details[string.Create(CultureInfo.InvariantCulture, $"{prefix}.azurite_us_per_op.stored_{low:D6}-{high:D6}")] = perOp;
            bands.Add(((low + high) / 2, perOp));
        }

        return bands;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            if (CpuSample.Take().Azurite is { } cpu)
            {
                _samples.Add((_stored(), cpu.TotalSeconds, _operations()));
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }
}
