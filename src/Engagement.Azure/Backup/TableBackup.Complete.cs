using Azure;
using Azure.Storage.Blobs;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>The complete manifest's create, whose answer may be lost after it landed.</summary>
public sealed partial class TableBackup
{
    /// <summary>
    /// Creates <paramref name="manifest"/>, a copy's <c>complete</c> one (<see cref="CreateManifestAsync"/>, with a writer
    /// id of its own). When the create throws (storage refused it, or its answer was lost past the SDK's retry: an SDK
    /// timeout, a 5xx after the write) but the manifest there carries that writer id, the create landed: the backup is
    /// complete, said as a warning, and null is returned as for a create that answered. Else the manifest already
    /// there (another writer's), or null when this one was written.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage refused it and it is not there (an SDK timeout too).</exception>
    private async Task<BackupManifest?> CreateCompleteAsync(BlobContainerClient container, BackupManifest manifest, CancellationToken cancellationToken)
    {
        var writer = NewWriter();
        try
        {
            return await CreateManifestAsync(container, manifest, writer, cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            if (await WrittenByAsync(container.GetBlobClient(ManifestBlobName(manifest.Name)), writer) is null)
            {
                throw;
            }

            LogCompleteAnswerLost(logger, ex, manifest.Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: writing its complete manifest seemed to fail, but the manifest is there and is this copy's (its answer was lost); the backup is complete")]
    private static partial void LogCompleteAnswerLost(ILogger logger, Exception exception, string backup);
}
