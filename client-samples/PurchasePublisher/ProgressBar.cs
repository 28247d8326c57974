using System.Diagnostics;
using System.Globalization;

namespace PurchasePublisher;

/// <summary>
/// Progress on stderr: a bar redrawn in place (\r) on a terminal, or a plain line every few
/// seconds when stderr is redirected to a file or a CI log. Safe to call from many tasks.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(2);

    private readonly long _total;
    private readonly bool _interactive;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private TimeSpan _lastDraw = TimeSpan.FromDays(-1); // "long ago", so the first report draws
    private int _lastWidth;

    public ProgressBar(long total)
    {
        _total = total;
        _interactive = !Console.IsErrorRedirected;
    }

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Reports <paramref name="done"/> of the total; draws at most every 100 ms (2 s in logs).</summary>
    public void Report(long done)
    {
        var now = _watch.Elapsed;
        if (now - _lastDraw < (_interactive ? TerminalInterval : LogInterval))
        {
            return;
        }

        lock (_lock)
        {
            if (now - _lastDraw < (_interactive ? TerminalInterval : LogInterval))
            {
                return;
            }

            _lastDraw = now;
            Draw(done, now);
        }
    }

    /// <summary>Draws the final state and ends the line.</summary>
    public void Complete(long done)
    {
        lock (_lock)
        {
            Draw(done, _watch.Elapsed);
            if (_interactive)
            {
                Console.Error.WriteLine();
            }
        }
    }

    private void Draw(long done, TimeSpan elapsed)
    {
        var fraction = _total == 0 ? 1.0 : Math.Clamp((double)done / _total, 0, 1);
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 && done < _total ? TimeSpan.FromSeconds((_total - done) / rate) : TimeSpan.Zero;
        var text = string.Format(
            CultureInfo.InvariantCulture,
            "{0,5:0.0}%  {1}/{2}  {3:0} ev/s  ETA {4}",
            fraction * 100,
            done,
            _total,
            rate,
            eta.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));

        if (_interactive)
        {
            var filled = (int)Math.Round(fraction * Width);
            var line = "[" + new string('#', filled) + new string('.', Width - filled) + "] " + text;
            var pad = Math.Max(0, _lastWidth - line.Length);
            _lastWidth = line.Length;
            Console.Error.Write("\r" + line + new string(' ', pad));
        }
        else
        {
            Console.Error.WriteLine("progress " + text);
        }
    }
}
