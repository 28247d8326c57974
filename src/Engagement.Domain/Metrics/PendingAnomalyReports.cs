namespace Engagement.Domain.Metrics;

/// <summary>
/// One <c>data.anomaly</c> report (CONTRACT.md §5) of a source: a raise with its message, or a resolve.
/// </summary>
/// <param name="Source">The anomaly's source, as reported (e.g. <c>backup</c>; its alert's region id).</param>
/// <param name="Raise">True for a raise, false for a resolve.</param>
/// <param name="Message">The raise's text; null for a resolve.</param>
public sealed record AnomalyReport(string Source, bool Raise, string? Message)
{
    /// <summary>
    /// When (UTC) the reporter observed it (the fault, or its end): kept through every retry, so the alert book orders a
    /// late raise or resolve against the other kind another report wrote (<see cref="AnomalyResolves"/>).
    /// </summary>
    public DateTimeOffset ObservedAt { get; init; }

    /// <summary><c>raise</c> or <c>resolve</c>, as the alert book's logs name the change.</summary>
    public string Change => Raise ? "raise" : "resolve";
}

/// <summary>A report waiting to be sent again (<see cref="PendingAnomalyReports"/>).</summary>
/// <param name="Report">The report.</param>
/// <param name="FirstFailedAt">When (UTC) its first try failed.</param>
/// <param name="Tries">Tries that failed so far (1 after the first).</param>
/// <param name="NextAt">When (UTC) it is tried again.</param>
public sealed record PendingAnomalyReport(AnomalyReport Report, DateTimeOffset FirstFailedAt, int Tries, DateTimeOffset NextAt);

/// <summary>
/// The <c>data.anomaly</c> reports the alert book could not take (its write failed: a storage fault), kept to be tried
/// again rather than dropped: per source the latest report only (a later raise or resolve of the same source replaces
/// the one waiting, so within one reporter a stale raise never follows its resolve), tried again 1 minute after the
/// first failure, then after 2, 4, 8 … minutes, at most <see cref="MaxRetryDelay"/> apart, until written or replaced,
/// and given up after <see cref="MaxTries"/> failed tries (some 4 hours). At most <see cref="MaxSources"/> sources wait;
/// past that the one waiting longest is given up. A report given up is returned for the caller to log as an error.
/// Reports refused for want of room are not here: the alert book records those itself (<see cref="AlertRaisesRefused"/>).
/// One instance orders the reports of one reporter only (the engine keeps one per silo, in memory); a report of the
/// same source sent meanwhile by another silo (the backup runs on whichever silo holds its lease) is not seen here, so
/// each report carries when it was observed (<see cref="AnomalyReport.ObservedAt"/>) and the alert book ignores a report
/// observed before the latest report of the other kind it holds of the source (<see cref="AnomalyResolves"/>).
/// Pure: instants are passed in (UTC); not thread-safe.
/// </summary>
public sealed class PendingAnomalyReports
{
    /// <summary>Most sources waiting at once (the engine raises one, <c>backup</c>).</summary>
    public const int MaxSources = 32;

    /// <summary>Failed tries after which a report is given up: 10 (the last some 4 hours after the first, 1 + 2 + 4 … + 60 minutes).</summary>
    public const int MaxTries = 10;

    /// <summary>The delay before the first retry: 1 minute.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>The longest delay between two tries: 1 hour.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    private readonly Dictionary<string, PendingAnomalyReport> _waiting = new(StringComparer.Ordinal);

    /// <summary>Sources waiting.</summary>
    public int Count => _waiting.Count;

    /// <summary>The sources waiting, in ordinal order.</summary>
    public IReadOnlyList<string> Sources => [.. _waiting.Keys.Order(StringComparer.Ordinal)];

    /// <summary>When (UTC) the soonest waiting report is due; null when none waits.</summary>
    public DateTimeOffset? NextAt => _waiting.Count == 0 ? null : _waiting.Values.Min(p => p.NextAt);

    /// <summary>The waiting report of <paramref name="source"/>; null when none.</summary>
    public PendingAnomalyReport? Of(string source) => _waiting.GetValueOrDefault(source);

    /// <summary>A later report of <paramref name="source"/> is being sent: the one waiting (if any) is replaced by it and dropped.</summary>
    public void Replace(string source) => _waiting.Remove(source);

    /// <summary>
    /// <paramref name="report"/> failed at <paramref name="now"/> (UTC): kept with its tries counted and its next try
    /// scheduled (1 minute after the first failure, doubling to at most <see cref="MaxRetryDelay"/>). Returns the report
    /// with its tries and, as <c>GivenUp</c>, the report given up, if any: this one itself (the same instance as
    /// <c>Tried</c>, no longer waiting) at its <see cref="MaxTries"/>th failed try, or, when more than
    /// <see cref="MaxSources"/> sources would wait, the one waiting longest.
    /// </summary>
    public (PendingAnomalyReport Tried, PendingAnomalyReport? GivenUp) Failed(AnomalyReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var before = _waiting.GetValueOrDefault(report.Source);
        var same = before is not null && before.Report == report;
        var tries = same ? before!.Tries + 1 : 1;
        var waiting = new PendingAnomalyReport(report, same ? before!.FirstFailedAt : now, tries, now + Delay(tries));
        if (tries >= MaxTries)
        {
            _waiting.Remove(report.Source);
            return (waiting, waiting);
        }

        _waiting[report.Source] = waiting;
        PendingAnomalyReport? givenUp = null;
        if (_waiting.Count > MaxSources)
        {
            givenUp = _waiting.Values.Where(p => p.Report.Source != report.Source).MinBy(p => p.FirstFailedAt);
            _waiting.Remove(givenUp!.Report.Source);
        }

        return (waiting, givenUp);
    }

    /// <summary><paramref name="report"/> was written: dropped, unless a later report of its source waits instead.</summary>
    public void Written(AnomalyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_waiting.TryGetValue(report.Source, out var waiting) && waiting.Report == report)
        {
            _waiting.Remove(report.Source);
        }
    }

    /// <summary>The reports due at <paramref name="now"/> (UTC), the longest waiting first.</summary>
    public IReadOnlyList<AnomalyReport> Due(DateTimeOffset now) =>
        [.. _waiting.Values.Where(p => p.NextAt <= now).OrderBy(p => p.FirstFailedAt).Select(p => p.Report)];

    /// <summary>The delay after the <paramref name="tries"/>th failed try: 1, 2, 4 … minutes, at most <see cref="MaxRetryDelay"/>.</summary>
    public static TimeSpan Delay(int tries)
    {
        var minutes = Math.Pow(2, Math.Clamp(tries - 1, 0, 16));
        return TimeSpan.FromMinutes(Math.Min(minutes, MaxRetryDelay.TotalMinutes));
    }
}
