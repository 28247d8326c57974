namespace Engagement.Console.Services;

/// <summary>
/// Orders a page's reads: each read started takes a number, and only the latest started is current. A read overtaken by
/// a later one (two presets picked in quick succession, a region chosen while a range is read) must drop what it read,
/// so a page shows the figures of the range and region it says it shows, never those of a slower, earlier read.
/// </summary>
public sealed class ReadSequence
{
    private int _started;

    /// <summary>Starts a read; returns its number, to hand to <see cref="IsCurrent"/> when its results come back.</summary>
    public int Start() => Interlocked.Increment(ref _started);

    /// <summary>True when no read has started since <paramref name="read"/> (a number from <see cref="Start"/>).</summary>
    public bool IsCurrent(int read) => read == Volatile.Read(ref _started);
}
