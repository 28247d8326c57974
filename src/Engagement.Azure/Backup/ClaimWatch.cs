using Azure;

namespace Engagement.Azure.Backup;

/// <summary>
/// How a silo that skipped a backup tells a running one from a dead one: the silo taking it touches its claim blob
/// (a new ETag) every quarter of <see cref="BackupOptions.StalledAfter"/>; the claim is stalled once the watcher has seen
/// the same ETag for <see cref="BackupOptions.StalledAfter"/> by its own clock (UTC). Storage's own timestamps are not
/// used, so the silos' clocks need not agree with storage's.
/// </summary>
/// <param name="stalledAfter">How long an untouched claim counts as running; counted from the first look at the claim
/// and from each change seen after it.</param>
internal sealed class ClaimWatch(TimeSpan stalledAfter)
{
    private ETag? _seen;
    private DateTimeOffset _seenAt;

    /// <summary>How long the claim has gone untouched as of the last <see cref="Observe"/>.</summary>
    public TimeSpan Quiet { get; private set; }

    /// <summary>Records the claim's ETag read at <paramref name="now"/>; true when it has not changed for <c>stalledAfter</c>.</summary>
    public bool Observe(ETag etag, DateTimeOffset now)
    {
        if (_seen != etag)
        {
            (_seen, _seenAt) = (etag, now);
        }

        Quiet = now - _seenAt;
        return Quiet >= stalledAfter;
    }
}
