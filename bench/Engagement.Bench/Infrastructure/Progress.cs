using System.Diagnostics;
using System.Globalization;

namespace Engagement.Bench.Infrastructure;

/// <summary>Prints <c>done/total</c> and the rate about once a second until disposed.</summary>
internal sealed class Progress : IAsyncDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly Func<long> _done;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Progress(string label, long total, Func<long> done)
    {
        _label = label;
        _total = total;
        _done = done;
        _loop = RunAsync();
    }

    public static Progress Start(string label, long total, Func<long> done) => new(label, total, done);

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

        Print(_done(), 0, final: true);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var lastDone = _done();
        var lastAt = _clock.Elapsed;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            var done = _done();
            var now = _clock.Elapsed;
            var rate = (done - lastDone) / Math.Max((now - lastAt).TotalSeconds, 1e-3);
            Print(done, rate, final: false);
            lastDone = done;
            lastAt = now;
        }
    }

    private void Print(long done, double rate, bool final)
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        var text = final
            ? string.Create(CultureInfo.InvariantCulture, $"  [{_label}] {done:N0}/{_total:N0} in {elapsed:F1} s ({done / Math.Max(elapsed, 1e-3):N0}/s overall)")
            : string.Create(CultureInfo.InvariantCulture, $"  [{_label}] {done:N0}/{_total:N0}  {rate:N0}/s  ({elapsed:F0} s)");
        Console.WriteLine(text);
    }
}
