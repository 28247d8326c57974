using System.Globalization;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>
/// Scheduled backups of every table the engine owns to blob storage, bound from <c>Engagement:Backup</c> and
/// validated at start-up. Times are local times of day in <see cref="TimeZone"/> (the programme's time zone).
/// </summary>
public sealed class BackupOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Engagement:Backup";

    /// <summary>Run the schedule in this silo. Default true (a blob lease lets one silo of a cluster run each backup).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Local times of day to back up at, <c>HH:mm</c>. Default 02:00, 10:00 and 18:00 (three a day).</summary>
    public List<string> Times { get; set; } = [];

    /// <summary>
    /// IANA time zone of <see cref="Times"/>. Default: the programme's zone (<c>Engagement:Metrics:TimeZone</c>, the
    /// zone of its local day), else <c>Asia/Shanghai</c>.
    /// </summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Backups older than this many days are deleted after a successful backup. Default 14; at least 1.</summary>
    public int RetentionDays { get; set; } = 14;

    /// <summary>
    /// A backup with no manifest whose claim (<c>{backup}/claim</c>) has not been touched for this long is recorded as
    /// failed (a <c>failed</c> manifest) and reported (error log, <c>data.anomaly</c>) by a silo that skipped it: its
    /// silo stopped mid-copy. The silo taking a backup touches its claim every quarter of this. Quiet seen across two or
    /// more failed looks in a row counts as half of this at most (<see cref="ClaimWatch"/>). Default 10 minutes;
    /// 1 minute to 12 hours.
    /// </summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Blob container that holds the backups. Default <c>engagement-backups</c>.</summary>
    public string Container { get; set; } = "engagement-backups";

    /// <summary>
    /// Tables backed up whose name starts with this. Default <c>Engagement</c>: grain state (members, campaigns),
    /// reminders, ledger, lifecycle journal, member index, and any table a later feature adds under the prefix.
    /// </summary>
    public string TablePrefix { get; set; } = "Engagement";

    /// <summary>
    /// Tables backed up besides those under <see cref="TablePrefix"/>. The host adds the engine's tables as configured
    /// (<c>Engagement:Storage:*TableName</c>, <c>Engagement:Campaigns:MemberIndexTableName</c>), so a table renamed
    /// outside the prefix is still copied.
    /// </summary>
    public List<string> Tables { get; set; } = [];

    /// <summary>
    /// Tables never backed up (cluster membership is rebuilt by the silos). Default: the configured membership table
    /// (<c>Engagement:Storage:MembershipTableName</c>, <c>EngagementSilos</c>).
    /// </summary>
    public List<string> ExcludedTables { get; set; } = [];

    /// <summary>
    /// The first table(s) to copy: grain state goes first, so effects it lists as pending are re-emitted after a
    /// restore. Default: the configured grain state table (<c>Engagement:Storage:GrainStateTableName</c>).
    /// </summary>
    public List<string> FirstTables { get; set; } = [];

    /// <summary><see cref="Times"/> parsed, defaults applied.</summary>
    public IReadOnlyList<TimeOnly> ParsedTimes() =>
        (Times.Count == 0 ? ["02:00", "10:00", "18:00"] : Times)
        .Select(t => TimeOnly.ParseExact(t, "HH:mm", CultureInfo.InvariantCulture))
        .Order()
        .ToList();

    /// <summary><see cref="ExcludedTables"/> with its default.</summary>
    public IReadOnlyList<string> Excluded() => ExcludedTables.Count == 0 ? ["EngagementSilos"] : ExcludedTables;

    /// <summary><see cref="FirstTables"/> with its default.</summary>
    public IReadOnlyList<string> First() => FirstTables.Count == 0 ? ["EngagementGrainState"] : FirstTables;
}

/// <summary>Checks <see cref="BackupOptions"/> at start-up.</summary>
internal sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var failures = new List<string>();
        foreach (var time in options.Times)
        {
            if (!TimeOnly.TryParseExact(time, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                failures.Add($"{BackupOptions.SectionName}:Times: '{time}' is not a time of day HH:mm.");
            }
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
        {
            failures.Add($"{BackupOptions.SectionName}:TimeZone '{options.TimeZone}' is not a known time zone.");
        }

        if (options.RetentionDays < 1)
        {
            failures.Add($"{BackupOptions.SectionName}:RetentionDays must be at least 1.");
        }

        if (options.StalledAfter < TimeSpan.FromMinutes(1) || options.StalledAfter > TimeSpan.FromHours(12))
        {
            failures.Add($"{BackupOptions.SectionName}:StalledAfter must be between 00:01:00 and 12:00:00.");
        }

        if (options.Container is not { Length: >= 3 and <= 63 } || !options.Container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            failures.Add($"{BackupOptions.SectionName}:Container '{options.Container}' is not a valid blob container name.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
