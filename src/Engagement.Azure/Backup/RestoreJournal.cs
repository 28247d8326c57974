using Azure;
using Azure.Storage.Blobs;

namespace Engagement.Azure.Backup;

/// <summary>
/// How far a restore of one backup into one account has come, so a restore broken off (storage trouble at hour 20)
/// can be resumed (<c>restore --backup NAME --resume</c>) instead of refused for tables that already hold rows. Kept in
/// the backup container as <c>{backup}/restore/{account}.json</c> (<see cref="BlobName"/>), written after each table
/// and with each progress line, and once more when the restore fails; deleted when it completes. Rows are upserted,
/// so writing again what a broken-off restore had already written changes nothing.
/// </summary>
public sealed record RestoreJournal
{
    /// <summary>The backup being restored.</summary>
    public required string Backup { get; init; }

    /// <summary>Tables written completely, in the order they were.</summary>
    public List<string> FinishedTables { get; init; } = [];

    /// <summary>The table being written when the journal was saved; null between tables.</summary>
    public string? Table { get; set; }

    /// <summary>Lines of <see cref="Table"/>'s blob (from its start) whose rows are written: a resume writes from the next one.</summary>
    public long LinesDone { get; set; }

    /// <summary>The partition key of the last of those lines (a check that a resume finds the same line there).</summary>
    public string? LastPartitionKey { get; set; }

    /// <summary>When the journal was last saved (UTC).</summary>
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>
    /// The journal blob of the restore of <paramref name="backup"/> into storage account <paramref name="account"/>: the
    /// account whose tables are written (<c>ConnectionStrings:AzureStorage</c>), never the one keeping the backups, which
    /// may be another (<see cref="BackupStorage"/>): a restore into a new account after the data's account was lost has a
    /// journal of its own.
    /// </summary>
    public static string BlobName(string backup, string account) => $"{backup}/restore/{account}.json";

    /// <summary>Reads the journal at <paramref name="blob"/>; null when there is none.</summary>
    /// <exception cref="RequestFailedException">Storage refused the read.</exception>
    public static async Task<RestoreJournal?> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<RestoreJournal>(TableBackup.ManifestJson);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Saves this journal to <paramref name="blob"/> as of <paramref name="now"/> (UTC).</summary>
    /// <exception cref="RequestFailedException">Storage refused the write.</exception>
    public async Task SaveAsync(BlobClient blob, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        SavedAt = now;
        await blob.UploadAsync(BinaryData.FromObjectAsJson(this, TableBackup.ManifestJson), overwrite: true, cancellationToken);
    }
}
