using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A backup taken on demand (<c>Engagement.Silo backup</c>, <see cref="TableBackup.RunAsync"/> without a name) is named
/// by its UTC start second; one that starts in a second whose name is taken already (another on-demand backup), or
/// that is a scheduled slot's own name, takes the next free second before it copies anything, instead of copying every
/// table into the other backup's folder and failing (or, with no manifest there yet, writing over a copy in progress).
/// Azurite, one fixed instant.
/// </summary>
public sealed class BackupSameSecondTests
{
    private static readonly DateTimeOffset TwoAmShanghai = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    /// <summary>An instant of no slot of the default schedule (02:00, 10:00, 18:00 Asia/Shanghai): <c>20261129-180700</c>.</summary>
    private static readonly DateTimeOffset SevenPastTwo = TwoAmShanghai.AddMinutes(7);

    [Fact]
    public async Task Two_on_demand_backups_in_the_same_second_both_complete_under_names_a_second_apart()
    {
        await using var table = await BackedUpTable.CreateAsync("Same", "GrainState", null, new TableEntity("p", "r1"));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        // The clock stands still: both start in the same second, at once (two operators, or a retry beside a first run).
        var clock = new FakeTimeProvider(SevenPastTwo);
        var backup = new TableBackup(table.Tables, table.Blobs, table.Options, clock, loggers.CreateLogger<TableBackup>());

        var both = await Task.WhenAll(Task.Run(() => backup.RunAsync()), Task.Run(() => backup.RunAsync()));

        Assert.Equal(["20261129-180700", "20261129-180701"], both.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(both, m => Assert.Equal(BackupManifest.Complete, m.Status));

        // Each copied into its own folder: each table blob holds the one row its manifest counts, each manifest is its own.
        var listed = await backup.ListAsync();
        Assert.Equal(["20261129-180701", "20261129-180700"], listed.Select(b => b.Name));
        Assert.All(listed, b => Assert.Equal(1, b.Manifest!.Tables.Single().Rows));
        foreach (var manifest in both)
        {
            Assert.Equal(1, await LinesAsync(table.Blobs, table.Options.Container, TableBackup.TableBlobName(manifest.Name, table.Name)));
        }

        // The one that lost the first name said so once, whichever it was.
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261129-180700 is taken already", "20261129-180701"));
    }

    [Fact]
    public async Task An_on_demand_backup_stopped_mid_copy_releases_its_claimed_name()
    {
        // What `Engagement.Silo backup` does on Ctrl-C or SIGTERM: its token is cancelled while a table is being written.
        await using var table = await BackedUpTable.CreateAsync("Stop", "GrainState", null, new TableEntity("p", "r1"));
        var faults = new BlobFaults { Hangs = r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.Contains(table.Name, StringComparison.Ordinal) };
        var backup = new TableBackup(table.Tables, faults.Blobs(), table.Options, new FakeTimeProvider(SevenPastTwo), NullLogger<TableBackup>.Instance);
        using var stop = new CancellationTokenSource();

        var run = backup.RunAsync(cancellationToken: stop.Token);
        await Eventually.TrueAsync(() => faults.Hung > 0, TimeSpan.FromSeconds(20), "the copy writes its table");
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        Assert.True(await container.GetBlobClient("20261129-180700/claim").ExistsAsync(), "the name was not claimed before the copy");
        stop.Cancel();

        await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.False(await container.GetBlobClient("20261129-180700/claim").ExistsAsync(), "the stopped backup kept its claim");
        Assert.False(await container.GetBlobClient("20261129-180700/manifest.json").ExistsAsync(), "the stopped backup was recorded");
    }

    [Fact]
    public async Task An_on_demand_backup_stopped_while_its_claim_is_created_releases_the_claim_that_landed()
    {
        // Ctrl-C while the claim's create is under way: Azurite wrote the claim, its answer never came (held until the
        // stop cancels it), so the name was never handed back as claimed. Left there, the claim of a backup nobody
        // copies would be judged stalled and reported failed by a silo watching the name.
        await using var table = await BackedUpTable.CreateAsync("Land", "GrainState", null, new TableEntity("p", "r1"));
        var faults = new BlobFaults { HangsAfterDoing = BlobFaults.ClaimCreate("20261129-180700") };
        var backup = new TableBackup(table.Tables, faults.Blobs(), table.Options, new FakeTimeProvider(SevenPastTwo), NullLogger<TableBackup>.Instance);
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        using var stop = new CancellationTokenSource();

        var run = backup.RunAsync(cancellationToken: stop.Token);
        await Eventually.TrueAsync(() => faults.HungAfterDoing > 0, TimeSpan.FromSeconds(20), "the claim's create lands and its answer is held");
        Assert.True(await container.GetBlobClient("20261129-180700/claim").ExistsAsync(), "the claim's create did not land");
        stop.Cancel();

        await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.False(await container.GetBlobClient("20261129-180700/claim").ExistsAsync(), "the stopped backup left the claim whose create landed");
        Assert.False(await BlobsUnderAsync(container, "20261129-180700"), "the stopped backup left blobs under its name");
    }

    [Fact]
    public async Task An_on_demand_backup_whose_claim_create_lands_but_times_out_is_reported_once_and_releases_the_claim()
    {
        // Azurite wrote the claim, its answer was lost (the SDK's timeout): the backup fails and is reported. The claim
        // that landed must go too, or a silo watching the name later judges it stalled and reports it a second time.
        await using var table = await BackedUpTable.CreateAsync("Lost", "GrainState", null, new TableEntity("p", "r1"));
        var faults = new BlobFaults { LosesAnswer = BlobFaults.ClaimCreate("20261129-180700") };
        var listener = new FailureListener();
        var backup = new TableBackup(table.Tables, faults.Blobs(), table.Options, new FakeTimeProvider(SevenPastTwo), NullLogger<TableBackup>.Instance, [listener]);
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);

        await Assert.ThrowsAnyAsync<Exception>(() => backup.RunAsync());

        Assert.True(faults.TimedOut > 0, "the claim's create did not lose its answer");
        Assert.Equal("20261129-180700", Assert.Single(listener.Failed).Backup);
        Assert.False(await container.GetBlobClient("20261129-180700/claim").ExistsAsync(), "the failed backup left the claim whose create landed");
        Assert.False(await container.GetBlobClient("20261129-180700/manifest.json").ExistsAsync(), "the failed backup wrote a manifest under a name it never held");
    }

    [Fact]
    public async Task An_on_demand_backup_in_the_second_of_a_claimed_slot_takes_the_next_second_and_copies_nothing_into_the_slot()
    {
        await using var table = await BackedUpTable.CreateAsync("Slot", "GrainState", null, new TableEntity("p", "r1"));
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        await container.CreateIfNotExistsAsync();
        // A silo claimed the 02:00 slot and is copying it (no manifest yet).
        await container.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo (12345678)"));

        var manifest = await new TableBackup(table.Tables, table.Blobs, table.Options, new FakeTimeProvider(TwoAmShanghai), NullLogger<TableBackup>.Instance).RunAsync();

        Assert.Equal("20261129-180001", manifest.Name);
        Assert.Equal(BackupManifest.Complete, manifest.Status);
        var inSlot = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "20261129-180000/", CancellationToken.None))
        {
            inSlot.Add(blob.Name);
        }

        // Nothing of the on-demand copy landed in the slot's folder: the slot's copier writes its own tables and manifest.
        Assert.Equal(["20261129-180000/claim"], inSlot);
        Assert.Equal("copying-silo (12345678)", (await container.GetBlobClient("20261129-180000/claim").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task An_on_demand_backup_whose_next_free_second_is_a_slot_skips_the_slots_name()
    {
        // 01:59:59 Shanghai: that second is another on-demand backup's; the next one, 02:00:00, is the 02:00 slot's own
        // name, unclaimed yet (the slot's silos claim it this very second). Taking it, and being stopped, left the slot
        // with no backup: its silos found it claimed and skipped it, and the abandoned copy reported nothing.
        await using var table = await BackedUpTable.CreateAsync("Skip", "GrainState", null, new TableEntity("p", "r1"));
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("20261129-175959/claim").UploadAsync(BinaryData.FromString("on demand: ops-1 (12345678)"));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));

        var manifest = await new TableBackup(table.Tables, table.Blobs, table.Options, new FakeTimeProvider(TwoAmShanghai.AddSeconds(-1)), loggers.CreateLogger<TableBackup>()).RunAsync();

        Assert.Equal("20261129-180001", manifest.Name);
        Assert.Equal(BackupManifest.Complete, manifest.Status);
        Assert.False(await BlobsUnderAsync(container, "20261129-180000"), "the on-demand backup took the 02:00 slot's name");
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261129-180000 is a scheduled slot's name", "20261129-180001"));
    }

    [Fact]
    public async Task An_on_demand_backup_that_finds_every_name_of_its_minute_taken_refuses_and_copies_nothing()
    {
        await using var table = await BackedUpTable.CreateAsync("Full", "GrainState", null, new TableEntity("p", "r1"));
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        await container.CreateIfNotExistsAsync();
        // Every second from 02:07:00 to 02:07:59 (Shanghai) holds another backup's claim.
        var taken = Enumerable.Range(0, 60).Select(s => TableBackup.NameFor(SevenPastTwo.AddSeconds(s))).ToList();
        await Task.WhenAll(taken.Select(n => container.GetBlobClient($"{n}/claim").UploadAsync(BinaryData.FromString("another backup"))));
        var listener = new FailureListener();

        var refused = await Assert.ThrowsAsync<BackupNamesTakenException>(
            () => new TableBackup(table.Tables, table.Blobs, table.Options, new FakeTimeProvider(SevenPastTwo), NullLogger<TableBackup>.Instance, [listener]).RunAsync());

        Assert.Contains("every name from 20261129-180700 to 20261129-180759 is taken", refused.Message, StringComparison.Ordinal);
        Assert.Empty(listener.Failed); // not a failure of a backup: none started
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        // Nothing copied, claimed or recorded: only the 60 claims that were there.
        Assert.Equal(taken.Select(n => $"{n}/claim"), blobs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_on_demand_backup_whose_backup_storage_is_unreachable_is_still_reported_failed()
    {
        await using var table = await BackedUpTable.CreateAsync("Down", "GrainState", null, new TableEntity("p", "r1"));
        var storage = new BlobFaults { Down = BlobFaults.All };
        var listener = new FailureListener();
        var backup = new TableBackup(table.Tables, storage.Blobs(), table.Options, new FakeTimeProvider(TwoAmShanghai), NullLogger<TableBackup>.Instance, [listener]);

        // It fails while it claims its name (the container's create, before any name is held): reported all the same,
        // under its start second's name, as the `backup` command's data.anomaly alert and FAILED line need.
        await Assert.ThrowsAnyAsync<Exception>(() => backup.RunAsync());

        Assert.Equal("20261129-180000", Assert.Single(listener.Failed).Backup);
        Assert.True(storage.Failed > 0);
    }

    private sealed class FailureListener : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<bool> BlobsUnderAsync(BlobContainerClient container, string backup)
    {
        await foreach (var _ in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, backup + "/", CancellationToken.None))
        {
            return true;
        }

        return false;
    }

    private static async Task<int> LinesAsync(BlobServiceClient blobs, string container, string blob)
    {
        await using var stream = await blobs.GetBlobContainerClient(container).GetBlobClient(blob).OpenReadAsync();
        await using var gzip = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var lines = 0;
        while (await reader.ReadLineAsync() is not null)
        {
            lines++;
        }

        return lines;
    }
}
