using Azure;

namespace Engagement.Azure.Backup;

/// <summary>
/// How a silo that skipped a backup tells a running one from a dead one: the silo taking it touches its claim blob
/// (a new ETag) every quarter of <see cref="BackupOptions.StalledAfter"/>; the claim is stalled once the watcher has seen
/// the same ETag for <see cref="BackupOptions.StalledAfter"/> by its own clock (UTC). Storage's own timestamps are not
/// used, so the silos' clocks need not agree with storage's. After two or more looks in a row that failed (storage
/// could not say: the holder's touches may have failed the same way, and the claim's sameness then says nothing), the
/// quiet time is counted as at most half of <see cref="BackupOptions.StalledAfter"/> at the next look that answers: the
/// holder gets two of its touch periods to be seen again before it is judged stalled. That is forgiven once per claim
/// ETag: storage that keeps flapping (two failed looks, one answer, again and again) cannot put the judgement off for
/// ever; an unchanged claim is judged stalled at most 1.5 × <see cref="BackupOptions.StalledAfter"/> plus one look
/// after the watcher first saw it, and reported one look later still when the watch also puts its judgement off for a
/// release under way (BackupScheduler's watch): 1.5 × StalledAfter plus two looks in the worst case.
/// </summary>
/// <param name="stalledAfter">How long an untouched claim counts as running; counted from the first look at the claim
/// and from each change seen after it.</param>
internal sealed class ClaimWatch(TimeSpan stalledAfter)
{
    private ETag? _seen;
    private DateTimeOffset _seenAt;
    private int _failedInARow;
    private ETag? _forgiven;

    /// <summary>How long the claim has gone untouched as of the last <see cref="Observe"/>.</summary>
    public TimeSpan Quiet { get; private set; }

    /// <summary>Records a look at the claim that failed (storage could not say; an SDK timeout included).</summary>
    public void LookFailed() => _failedInARow++;

    /// <summary>Records the claim's ETag read at <paramref name="now"/>; true when it has not changed for <c>stalledAfter</c>.</summary>
    public bool Observe(ETag etag, DateTimeOffset now)
    {
        if (_seen != etag)
        {
            (_seen, _seenAt) = (etag, now);
        }
        else if (_failedInARow >= 2 && _forgiven != etag && _seenAt < now - (stalledAfter - stalledAfter / 2))
        {
            // Blind for a while: the claim's quiet is not known to be the holder's. Once per ETag, so flapping storage
            // cannot hold the judgement off for ever.
            _seenAt = now - (stalledAfter - stalledAfter / 2);
            _forgiven = etag;
        }

        _failedInARow = 0;

        Quiet = now - _seenAt;
        return Quiet >= stalledAfter;
    }
}
