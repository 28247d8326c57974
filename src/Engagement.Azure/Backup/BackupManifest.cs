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
