namespace Engagement.Azure.Backup;

/// <summary>
/// The one rule for a look at storage the schedule cannot do without (is an earlier backup still copying? is this slot
/// claimed, after claiming it failed?) that keeps failing: each failed look waits for the next tick, and looks failing for longer than
/// <see cref="BackupOptions.StalledAfter"/> (by the engine's clock, UTC) are a failure to report. An answered look ends the
/// episode.
/// </summary>
/// <param name="stalledAfter">How long looks may keep failing before it is reported (<see cref="BackupOptions.StalledAfter"/>).</param>
internal sealed class FailingLooks(TimeSpan stalledAfter)
{
    private DateTimeOffset? _since;

    /// <summary>
    /// Records a look that failed at <paramref name="now"/>. Null while looks have been failing for
    /// <c>stalledAfter</c> or less (counted from the first failed look of the episode); else how long they have.
    /// </summary>
    public TimeSpan? Failed(DateTimeOffset now)
    {
        _since ??= now;
        var failingFor = now - _since.Value;
        return failingFor > stalledAfter ? failingFor : null;
    }

    /// <summary>True while an episode of failed looks is under way (the last look failed).</summary>
    public bool Failing => _since is not null;

    /// <summary>Records a look that answered: the episode of failed looks, if any, is over.</summary>
    public void Answered() => _since = null;
}
