using Azure.Core;
using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A copy's <c>complete</c> manifest whose create landed while its answer was lost (<see cref="BlobFaults.LosesAnswer"/>:
/// Azurite wrote it, the SDK saw a timeout past its retry) is complete: <see cref="TableBackup.RunAsync"/> returns it and
/// tells the listeners it completed, instead of taking its own manifest for another writer's, warning that the backup
/// "failed on this silo" and throwing (which skipped the completion notice that clears a backup alert). Azurite, a fixed instant.
/// </summary>
public sealed class BackupCompleteAnswerLostTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_complete_manifest_written_with_its_answer_lost_completes_the_backup_and_tells_the_listeners()
    {
        await using var table = await BackedUpTable.CreateAsync("CompLost", "GrainState", null, new TableEntity("p", "r"));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var storage = new BlobFaults
        {
            LosesAnswer = BlobFaults.Once(r => r.Method == RequestMethod.Put && r.Uri.Path.EndsWith("/20261130-020000/manifest.json", StringComparison.Ordinal)),
        };
        var listener = new Listener();
        var backup = new TableBackup(table.Tables, storage.Blobs(), table.Options, new FakeTimeProvider(Ten), loggers.CreateLogger<TableBackup>(), [listener]);

        var manifest = await backup.RunAsync("20261130-020000");

        Assert.Equal(1, storage.TimedOut);
        Assert.Equal(BackupManifest.Complete, manifest.Status);
        Assert.Equal(["20261130-020000"], listener.Completed);
        Assert.Empty(listener.Failed);
        Assert.Empty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 failed on this silo"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "its answer was lost", "the backup is complete"));
        Assert.Equal(BackupManifest.Complete, (await backup.ListAsync()).Single().Manifest!.Status);
    }

    private sealed class Listener : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string> Completed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            Completed.Enqueue(backup);
            return Task.CompletedTask;
        }
    }
}
