using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The order of <c>data.anomaly</c> reports (CONTRACT.md §5) across silos: the alert book keeps, per source, its latest
/// report, a raise (<see cref="AlertBookState.AnomalyRaisedAt"/>) or a resolve (<see cref="AlertBookState.AnomalyResolvedAt"/>),
/// by when (UTC) its reporter first observed it, and ignores a report of the other kind observed before it. A report
/// retried late by one silo's reporter (<see cref="PendingAnomalyReports"/>: kept in that silo's memory after a storage
/// fault) can land after another silo, or the same one, reported the source again: a late raise must not reopen an alert
/// whose fault was gone, and a late resolve must not close one whose fault came back. Reports are compared by when they
/// were observed, not by when they land. Only a strictly older report is ignored: at the same instant (<see cref="IsLater"/>)
/// the report that lands later stands, as every report did before observed times were kept; so the previous release's
/// methods, which carry no time and are observed at the grain's now, keep ordering by arrival, and a raise and a resolve
/// of exactly one instant (two silos' backups ending in the same tick) end as the later arrival says. Bounded: at most <see cref="MaxSources"/> sources and
/// <see cref="MaxBytes"/> of stored JSON over both kinds, the oldest report forgotten first (a late report of a forgotten
/// source is taken as before reports were kept). Pure.
/// </summary>
public static class AnomalyResolves
{
    /// <summary>Most sources whose latest report is kept: 8 (the engine reports one, <c>backup</c>).</summary>
    public const int MaxSources = 8;

    /// <summary>
    /// The most UTF-8 bytes the kept reports take in the stored book (both maps, their property names included): 512,
    /// counted in the book's fixed part (<see cref="AlertBookBounds"/>): eight short sources such as <c>backup</c> (some 50
    /// bytes each), or one of the longest (64 characters, the most the alerts grain keeps, 388 bytes when every character
    /// is escaped).
    /// </summary>
    public const int MaxBytes = 512;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// When a report was observed, as the book orders it: <paramref name="observedAt"/> in UTC, or <paramref name="now"/>
    /// (the alerts grain's clock, UTC) when none was given (the previous release's methods) or it is after now (a
    /// reporter's clock ahead of the grain's counts as now, so a skewed clock cannot put a report ahead of every later one).
    /// </summary>
    public static DateTimeOffset Observed(DateTimeOffset? observedAt, DateTimeOffset now) =>
        observedAt is { } at && at < now ? at.ToUniversalTime() : now;

    /// <summary>
    /// Whether <paramref name="report"/> was observed strictly after <paramref name="than"/>, whatever their kinds. Of two
    /// reports of one instant neither is later (the tie rule): the one that lands later stands.
    /// </summary>
    public static bool IsLater(AnomalyObservation report, AnomalyObservation than) => report.ObservedAt > than.ObservedAt;

    /// <summary>The latest report of <paramref name="source"/> the book keeps; null when none is (never kept, or forgotten).</summary>
    public static AnomalyObservation? Latest(AlertBookState state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        AnomalyObservation? raise = state.AnomalyRaisedAt?.TryGetValue(source, out var r) == true ? new(AnomalyReportKind.Raise, r) : null;
        AnomalyObservation? resolve = state.AnomalyResolvedAt?.TryGetValue(source, out var v) == true ? new(AnomalyReportKind.Resolve, v) : null;
        return raise is not { } a ? resolve : resolve is not { } b ? raise : IsLater(b, a) ? b : a;
    }

    /// <summary>
    /// The kept report that makes <paramref name="report"/> of <paramref name="source"/> stale, to be ignored (and logged)
    /// rather than applied: the latest report is of the other kind and later (<see cref="IsLater"/>). Null when the report
    /// stands: none kept, the kept one of the same kind (a repeat, which changes nothing the book shows), or observed at
    /// the same instant or before it (the later arrival stands).
    /// </summary>
    public static AnomalyObservation? SupersededBy(AlertBookState state, string source, AnomalyObservation report) =>
        Latest(state, source) is { } latest && latest.Kind != report.Kind && IsLater(latest, report) ? latest : null;

    /// <summary>
    /// A report of <paramref name="source"/> landing on the book <paramref name="state"/>, in the one order the alerts grain
    /// uses: first judged against the source's kept report (<see cref="SupersededBy"/>: a stale report changes nothing and
    /// <paramref name="apply"/> is not called), then applied (<paramref name="apply"/>: the raise or resolve on the book,
    /// with whatever the caller records beside it, such as a refusal for room), then kept as the source's latest
    /// (<see cref="Recorded"/>, which sees the applied book, so a resolve the book refused is not kept). The result's
    /// <see cref="AnomalyLanding.State"/> is <paramref name="state"/> itself when nothing changed.
    /// </summary>
    /// <exception cref="ArgumentNullException">A null <paramref name="state"/>, <paramref name="source"/> or <paramref name="apply"/>.</exception>
    public static AnomalyLanding Land(AlertBookState state, string source, AnomalyObservation report, Func<AlertBookState, AlertBookState> apply)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(apply);
        return SupersededBy(state, source, report) is { } latest
            ? new AnomalyLanding(state, latest)
            : new AnomalyLanding(Recorded(apply(state), source, report), null);
    }

    /// <summary>
    /// The book (<paramref name="state"/>, the report already applied to it) keeping <paramref name="report"/> as the
    /// latest of <paramref name="source"/> unless the one kept is later, or the same report (<paramref name="state"/>
    /// itself then); at one instant a report of the other kind replaces the kept one, as it landed later.
    /// A raise is kept whether it opened the alert, found it open or was refused for room (the fault was there then; the
    /// refusal is recorded in <see cref="AlertBookState.RaisesRefused"/>). A resolve after which the source's alert is
    /// still open was refused for room and is not kept: what is kept never disagrees with what the book shows, and the
    /// source's next report tries again. Past <see cref="MaxSources"/> or <see cref="MaxBytes"/>, the sources reported
    /// longest ago are forgotten.
    /// </summary>
    public static AlertBookState Recorded(AlertBookState state, string source, AnomalyObservation report)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(source);
        if (report.Kind == AnomalyReportKind.Resolve && AlertBook.OpenOf(state, AlertRules.DataAnomaly, source) is not null)
        {
            return state;
        }

        if (Latest(state, source) is { } kept && (IsLater(kept, report) || kept == report || (kept.Kind == report.Kind && !IsLater(report, kept))))
        {
            return state;
        }

        var next = Reports(state)
            .Where(p => p.Source != source)
            .Append((Source: source, Report: report))
            .OrderByDescending(p => p.Report.ObservedAt)
            .ThenBy(p => p.Source, StringComparer.Ordinal)
            .ToList();
        while (next.Count > MaxSources || (next.Count > 0 && StoredBytes(next) > MaxBytes))
        {
            next.RemoveAt(next.Count - 1);
        }

        return state with { AnomalyRaisedAt = Map(next, AnomalyReportKind.Raise), AnomalyResolvedAt = Map(next, AnomalyReportKind.Resolve) };
    }

    /// <summary>UTF-8 bytes the kept reports of <paramref name="state"/> take in its stored JSON (the property names included).</summary>
    public static int StoredBytes(AlertBookState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return StoredBytes(Reports(state));
    }

    private static int StoredBytes(IEnumerable<(string Source, AnomalyObservation Report)> reports)
    {
        var list = reports.ToList();
        return JsonSerializer.SerializeToUtf8Bytes(
            new { anomalyResolvedAt = Map(list, AnomalyReportKind.Resolve), anomalyRaisedAt = Map(list, AnomalyReportKind.Raise) },
            StoredJson).Length;
    }

    /// <summary>Every kept report, one per source (the later one should a source be in both maps).</summary>
    private static IEnumerable<(string Source, AnomalyObservation Report)> Reports(AlertBookState state) =>
        (state.AnomalyResolvedAt?.Keys ?? []).Union(state.AnomalyRaisedAt?.Keys ?? [], StringComparer.Ordinal)
            .Select(s => (s, Latest(state, s)!.Value));

    private static Dictionary<string, DateTimeOffset>? Map(IReadOnlyList<(string Source, AnomalyObservation Report)> reports, AnomalyReportKind kind)
    {
        var map = reports.Where(p => p.Report.Kind == kind).ToDictionary(p => p.Source, p => p.Report.ObservedAt, StringComparer.Ordinal);
        return map.Count == 0 ? null : map;
    }
}

/// <summary>What a <c>data.anomaly</c> report says of its source (CONTRACT.md §5).</summary>
public enum AnomalyReportKind
{
    /// <summary>The fault is gone: the source's alert is resolved.</summary>
    Resolve = 0,

    /// <summary>The fault is there: the source's alert is raised (open).</summary>
    Raise = 1,
}

/// <summary>
/// What one <c>data.anomaly</c> report (<see cref="AnomalyReport"/>, its source and text aside) observed and when, as the
/// alert book orders reports: its <see cref="AnomalyObservation.Kind"/> and when (UTC) its reporter first observed it.
/// </summary>
/// <param name="Kind">Raise or resolve.</param>
/// <param name="ObservedAt">When (UTC) the reporter first observed what it reports, kept through its retries.</param>
public readonly record struct AnomalyObservation(AnomalyReportKind Kind, DateTimeOffset ObservedAt);

/// <summary>What a <c>data.anomaly</c> report landing on the alert book did (<see cref="AnomalyResolves.Land"/>).</summary>
/// <param name="State">The book after it: the one it landed on when nothing changed (a stale report, or a repeat).</param>
/// <param name="SupersededBy">The kept later report of the other kind that made it stale (ignored, to be logged); null when it was applied.</param>
public readonly record struct AnomalyLanding(AlertBookState State, AnomalyObservation? SupersededBy);
