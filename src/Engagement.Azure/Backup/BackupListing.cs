using System.Globalization;

namespace Engagement.Azure.Backup;

/// <summary>
/// How operators see a backup (<c>Engagement.Silo backups</c>, the restore's first lines): its name is its start in
/// UTC (<see cref="TableBackup.NameFor"/>), which in the programme's zone is another hour and often another day
/// (the 02:00 Asia/Shanghai backup of 30 Nov is <c>20261129-180000</c>), so its start is shown in that zone too.
/// </summary>
public static class BackupListing
{
    /// <summary>
    /// <paramref name="at"/> as a wall-clock time in <paramref name="zone"/> with its offset, to the minute, e.g.
    /// <c>2026-11-30 02:00 +08:00</c>, or with <paramref name="seconds"/> to the second (<c>2026-11-30 02:00:07 +08:00</c>).
    /// </summary>
    public static string LocalTime(DateTimeOffset at, TimeZoneInfo zone, bool seconds = false)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return TimeZoneInfo.ConvertTime(at, zone).ToString(seconds ? "yyyy-MM-dd HH:mm:ss zzz" : "yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// When backup <paramref name="name"/> started (UTC): its manifest's <see cref="BackupManifest.StartedAt"/>, or, with
    /// no manifest, the UTC instant its name spells (null when it is not a backup name).
    /// </summary>
    public static DateTimeOffset? StartOf(string name, BackupManifest? manifest) =>
        manifest is not null ? manifest.StartedAt
        : DateTimeOffset.TryParseExact(name, "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : null;

    /// <summary>
    /// One line of the <c>backups</c> listing: the name (UTC), the start in <paramref name="zone"/> to the second, then the status,
    /// tables, rows and the UTC start and end from the manifest (or that it has none), the cluster and account it was taken
    /// from (<see cref="BackupManifest.Source"/>; <c>source unknown</c> when the manifest has none or there is no manifest),
    /// and a failed one's reason when known.
    /// </summary>
    public static string Line(string name, BackupManifest? manifest, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(name);
        // To the second: on-demand backups started within one minute differ only there.
        var local = StartOf(name, manifest) is { } start ? LocalTime(start, zone, seconds: true) : "?";
        return manifest is null
            ? string.Create(CultureInfo.InvariantCulture, $"{name}  {local}  (no manifest: incomplete)  {BackupSource.Unknown}")
            : string.Create(CultureInfo.InvariantCulture, $"{name}  {local}  {manifest.Status,-9}  {manifest.Tables.Count} tables  {manifest.Tables.Sum(t => t.Rows),12:N0} rows  {manifest.StartedAt:u} → {manifest.FinishedAt:u}  {BackupSource.Describe(manifest.Source)}{(manifest.Status == BackupManifest.Failed && manifest.Error is { } error ? "  " + error.ReplaceLineEndings(" ") : "")}");
    }
}
