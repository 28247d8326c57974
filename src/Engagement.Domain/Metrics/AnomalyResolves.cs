using System.Text.Json;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The order of <c>data.anomaly</c> reports (CONTRACT.md §5) across silos: the alert book keeps, per source, when (UTC)
/// its latest resolve was observed (<see cref="AlertBookState.AnomalyResolvedAt"/>), and ignores a raise observed before
/// it. A raise retried late by one silo's reporter (<see cref="PendingAnomalyReports"/>: kept in that silo's memory after
/// a storage fault) can land after another silo, or the same one, already resolved its source; without this it reopened
/// an alert whose fault was gone. Reports are compared by when their reporter first observed them, not by when they land.
/// Bounded: at most <see cref="MaxSources"/> sources and <see cref="MaxBytes"/> of stored JSON, the oldest resolve
/// forgotten first (a raise of a forgotten source is taken as before). Pure.
/// </summary>
public static class AnomalyResolves
{
    /// <summary>Most sources whose latest resolve is kept: 8 (the engine reports one, <c>backup</c>).</summary>
    public const int MaxSources = 8;

    /// <summary>
    /// The most UTF-8 bytes the kept resolves take in the stored book: 512, counted in the book's fixed part
    /// (<see cref="AlertBookBounds"/>): eight short sources such as <c>backup</c> (some 50 bytes each), or one of the
    /// longest (64 characters, the most the alerts grain keeps, 388 bytes when every character is escaped).
    /// </summary>
    public const int MaxBytes = 512;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// When (UTC) the latest resolve of <paramref name="source"/> the book holds was observed, if a raise observed at
    /// <paramref name="observedAt"/> (UTC) is older than it and is to be ignored; null when the raise stands (no resolve
    /// kept, or the raise observed at or after it).
    /// </summary>
    public static DateTimeOffset? StaleAgainst(AlertBookState state, string source, DateTimeOffset observedAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.AnomalyResolvedAt?.GetValueOrDefault(source) is { } resolved && observedAt < resolved ? resolved : null;
    }

    /// <summary>
    /// The book once a resolve of <paramref name="source"/> observed at <paramref name="observedAt"/> (UTC) is taken: its
    /// latest resolve is the later of the one kept and this one (<paramref name="state"/> itself when the one kept is not
    /// older). Past <see cref="MaxSources"/> or <see cref="MaxBytes"/>, the sources resolved longest ago are forgotten.
    /// </summary>
    public static AlertBookState Resolved(AlertBookState state, string source, DateTimeOffset observedAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(source);
        var kept = state.AnomalyResolvedAt;
        if (kept?.GetValueOrDefault(source) is { } before && before >= observedAt)
        {
            return state;
        }

        var next = (kept ?? new Dictionary<string, DateTimeOffset>())
            .Where(p => p.Key != source)
            .Append(new KeyValuePair<string, DateTimeOffset>(source, observedAt))
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        while (next.Count > MaxSources || (next.Count > 0 && StoredBytes(next) > MaxBytes))
        {
            next.RemoveAt(next.Count - 1);
        }

        return state with { AnomalyResolvedAt = next.Count == 0 ? null : next.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) };
    }

    /// <summary>UTF-8 bytes of the kept resolves' JSON as the alerts grain stores them (the property name included).</summary>
    public static int StoredBytes(IEnumerable<KeyValuePair<string, DateTimeOffset>> resolves) =>
        JsonSerializer.SerializeToUtf8Bytes(new { anomalyResolvedAt = resolves.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) }, StoredJson).Length;
}
