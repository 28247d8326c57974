namespace Engagement.Azure.Backup;

/// <summary>
/// <c>{backup}/manifest.json</c>: what one backup holds. Written last, so a backup without a manifest (or with
/// <see cref="Status"/> other than <c>complete</c>) is not restorable.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>Backup name: its UTC start, <c>yyyyMMdd-HHmmss</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>complete</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>When copying started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the last table was copied (UTC).</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>The failure, when <see cref="Status"/> is <c>failed</c>.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Whose data this backup holds: the cluster that wrote it and the data's account (<see cref="BackupSource"/>). Null for
    /// a manifest written before backups recorded it (listed "source unknown", counted as this cluster's own by
    /// <see cref="BackupFreshness"/>).
    /// </summary>
    public BackupSource? Source { get; init; }

    /// <summary>One entry per table, in the order they were copied.</summary>
    public required IReadOnlyList<BackupTableEntry> Tables { get; init; }

    /// <summary>Value of <see cref="Status"/> for a backup that can be restored.</summary>
    public const string Complete = "complete";

    /// <summary>Value of <see cref="Status"/> for a backup that broke off.</summary>
    public const string Failed = "failed";
}

/// <summary>One table in a backup: blob <c>{backup}/tables/{Table}.jsonl.gz</c>.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Rows">Rows copied.</param>
/// <param name="Sha256">SHA-256 (lowercase hex) of the uncompressed JSON lines.</param>
/// <param name="Bytes">Size of the uncompressed JSON lines, bytes.</param>
/// <param name="StartedAt">When copying this table started (UTC).</param>
/// <param name="FinishedAt">When it finished (UTC).</param>
public sealed record BackupTableEntry(string Table, long Rows, string Sha256, long Bytes, DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>
/// The cluster a backup was taken by (docs/backups.md "Where the backups are kept"): the Orleans <c>ClusterOptions.ServiceId</c> and
/// <c>ClusterId</c> of the silo (or of the <c>backup</c> command's configuration, <c>Engagement:Silo</c>) and the name of
/// the storage account whose tables it copied (a name, never a key). Clusters that share one backup container (a restore
/// drill beside production) tell their backups apart by it.
/// </summary>
/// <param name="ServiceId">Orleans service id.</param>
/// <param name="ClusterId">Orleans cluster id.</param>
/// <param name="Account">The data's storage account name (the tables backed up).</param>
public sealed record BackupSource(string ServiceId, string ClusterId, string Account)
{
    /// <summary>
    /// Whether <paramref name="other"/> is the same cluster: same service id and cluster id (ordinal) on the same account
    /// (ignoring case, as account names are).
    /// </summary>
    public bool IsSameCluster(BackupSource? other) =>
        other is not null
        && string.Equals(ServiceId, other.ServiceId, StringComparison.Ordinal)
        && string.Equals(ClusterId, other.ClusterId, StringComparison.Ordinal)
        && string.Equals(Account, other.Account, StringComparison.OrdinalIgnoreCase);

    /// <summary>How listings and the restore show it: <c>cluster {ServiceId}/{ClusterId}, account {Account}</c>.</summary>
    public override string ToString() => $"cluster {ServiceId}/{ClusterId}, account {Account}";

    /// <summary>What a listing and a restore say of a manifest with no source (written before backups recorded it).</summary>
    public const string Unknown = "source unknown";

    /// <summary><paramref name="source"/> as shown, or <see cref="Unknown"/>.</summary>
    public static string Describe(BackupSource? source) => source?.ToString() ?? Unknown;

    /// <summary>
    /// The blob metadata recording this source on a claim (<c>{backup}/claim</c>) or a failure-reported marker (and on
    /// manifests, beside their JSON <see cref="BackupManifest.Source"/>): keys <c>sourceserviceid</c>, <c>sourceclusterid</c>,
    /// <c>sourceaccount</c>. Metadata, not the blob's name: the layout of a backup stays one name per slot (docs/backups.md
    /// "Where the backups are kept": one container per deployment), and a claim's text stays its holder.
    /// </summary>
    public IDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        [ServiceIdKey] = ServiceId,
        [ClusterIdKey] = ClusterId,
        [AccountKey] = Account,
    };

    /// <summary>
    /// The source recorded in <paramref name="metadata"/> (<see cref="ToMetadata"/>; keys compared ignoring case, as
    /// storage returns them); null when it records none (a claim or marker written before they recorded their source:
    /// counted as the reader's own, as a manifest with no <see cref="BackupManifest.Source"/> is).
    /// </summary>
    public static BackupSource? FromMetadata(IDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        var keys = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
        return keys.TryGetValue(ServiceIdKey, out var service) && keys.TryGetValue(ClusterIdKey, out var cluster) && keys.TryGetValue(AccountKey, out var account)
            ? new BackupSource(service, cluster, account)
            : null;
    }

    /// <summary>
    /// The source <paramref name="metadata"/> records (<see cref="FromMetadata"/>) when it is another cluster than
    /// <paramref name="own"/> (<see cref="IsSameCluster"/>); null when it records none (counted as own), the same cluster,
    /// or <paramref name="own"/> is null (a reader with no source counts everything as its own).
    /// </summary>
    internal static BackupSource? ForeignTo(BackupSource? own, IDictionary<string, string>? metadata) =>
        own is not null && FromMetadata(metadata) is { } found && !own.IsSameCluster(found) ? found : null;

    private const string ServiceIdKey = "sourceserviceid";

    private const string ClusterIdKey = "sourceclusterid";

    private const string AccountKey = "sourceaccount";
}
