using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Backup names are UTC starts: the 02:00 Asia/Shanghai backup of 30 Nov 2026 is <c>20261129-180000</c>. The
/// <c>backups</c> listing shows each start in the programme's zone beside the name, and a restore says that start
/// before it writes, so an operator asked for "the 02:00 backup" does not restore the 10:00 one. Azurite, fixed instants.
/// </summary>
public sealed class BackupListingTests
{
    private static readonly DateTimeOffset TwoAmShanghai = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task TheListingShowsEachBackupsStartInTheProgrammesZoneAndARestoreSaysItBeforeWriting()
    {
        await using var table = await BackedUpTable.CreateAsync("Lst", "GrainState", "Asia/Shanghai", new TableEntity("p", "r"));
        var (prefix, options, tables, blobs) = (table.Prefix, table.Options, table.Tables, table.Blobs);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var backup = new TableBackup(tables, blobs, options, new FakeTimeProvider(TwoAmShanghai), NullLogger<TableBackup>.Instance);
        var manifest = await backup.RunAsync(TableBackup.NameFor(TwoAmShanghai)); // the 02:00 slot's, as the schedule names it
        // The 10:00 slot, claimed and never finished: no manifest, its start read from its name.
        await blobs.GetBlobContainerClient(options.Container).GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("a-silo"));

        var lines = (await backup.ListAsync()).Select(b => BackupListing.Line(b.Name, b.Manifest, zone)).ToList();

        Assert.Equal("20261129-180000", manifest.Name);
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("20261130-020000  2026-11-30 10:00:00 +08:00  (no manifest: incomplete)", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("20261129-180000  2026-11-30 02:00:00 +08:00  complete ", lines[1], StringComparison.Ordinal);
        Assert.Contains("2026-11-29 18:00:00Z", lines[1], StringComparison.Ordinal);

        await tables.DeleteTableAsync(prefix + "GrainState");
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var progress = new List<string>();
        await new TableRestore(tables, blobs, options, logger: loggers.CreateLogger<TableRestore>()).RunAsync(manifest.Name, new ListProgress(progress));

        Assert.Equal("backup 20261129-180000 started 2026-11-29 18:00:00Z (UTC), 2026-11-30 02:00:00 +08:00 in Asia/Shanghai", progress[0]);
        Assert.Single(logs.Lines(LogLevel.Information, "Restore of backup 20261129-180000", "2026-11-30 02:00:00 +08:00 in Asia/Shanghai"));
    }

    /// <summary>
    /// The restore's first line showed the local start to the minute only, so two on-demand backups taken within one
    /// minute (which the listing tells apart by their seconds) read alike there; it shows the second, as the listing does.
    /// </summary>
    [Fact]
    public async Task ARestoresFirstLineShowsTheBackupsLocalStartToTheSecondAsTheListingDoes()
    {
        await using var table = await BackedUpTable.CreateAsync("Sec", "GrainState", "Asia/Shanghai", new TableEntity("p", "r"));
        var (prefix, options, tables, blobs) = (table.Prefix, table.Options, table.Tables, table.Blobs);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var onDemand = TwoAmShanghai.AddMinutes(7).AddSeconds(13);
        var backup = new TableBackup(tables, blobs, options, new FakeTimeProvider(onDemand), NullLogger<TableBackup>.Instance);
        var manifest = await backup.RunAsync(TableBackup.NameFor(onDemand));
        var listed = BackupListing.Line(manifest.Name, manifest, zone);

        await tables.DeleteTableAsync(prefix + "GrainState");
        var progress = new List<string>();
        await new TableRestore(tables, blobs, options).RunAsync(manifest.Name, new ListProgress(progress));

        Assert.Equal("20261129-180713", manifest.Name);
        Assert.StartsWith("20261129-180713  2026-11-30 02:07:13 +08:00  ", listed, StringComparison.Ordinal);
        Assert.Equal("backup 20261129-180713 started 2026-11-29 18:07:13Z (UTC), 2026-11-30 02:07:13 +08:00 in Asia/Shanghai", progress[0]);
    }

    [Fact]
    public async Task EachBackupIsListedWithTheClusterAndAccountItWasTakenFromAndARestoreSaysWhoseItIs()
    {
        await using var table = await BackedUpTable.CreateAsync("Src", "GrainState", "Asia/Shanghai", new TableEntity("p", "r"));
        var (prefix, options, tables, blobs) = (table.Prefix, table.Options, table.Tables, table.Blobs);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var production = new BackupSource("engagement", "engagement-prod", tables.AccountName);
        var backup = new TableBackup(tables, blobs, options, new FakeTimeProvider(TwoAmShanghai), NullLogger<TableBackup>.Instance, source: production);
        var manifest = await backup.RunAsync(TableBackup.NameFor(TwoAmShanghai)); // the 02:00 slot's, as the schedule names it
        // A manifest written before manifests recorded their source: no "source" field at all.
        var container = blobs.GetBlobContainerClient(options.Container);
        await container.GetBlobClient(TableBackup.ManifestBlobName("20261130-020000")).UploadAsync(BinaryData.FromString(
            """{"name":"20261130-020000","status":"complete","startedAt":"2026-11-30T02:00:00+00:00","finishedAt":"2026-11-30T02:05:00+00:00","tables":[]}"""));

        var stored = (await container.GetBlobClient(TableBackup.ManifestBlobName(manifest.Name)).DownloadContentAsync()).Value.Content.ToObjectFromJson<BackupManifest>(TableBackup.ManifestJson);
        var lines = (await backup.ListAsync()).Select(b => BackupListing.Line(b.Name, b.Manifest, zone)).ToList();

        Assert.Equal(production, stored!.Source);
        Assert.Equal(2, lines.Count);
        Assert.EndsWith("  source unknown", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("  cluster engagement/engagement-prod, account devstoreaccount1", lines[1], StringComparison.Ordinal);

        // A drill restores production's backup (allowed), and is told whose it is before anything is written.
        await tables.DeleteTableAsync(prefix + "GrainState");
        var progress = new List<string>();
        await new TableRestore(tables, blobs, options).RunAsync(manifest.Name, new ListProgress(progress));

        Assert.Equal("backup 20261129-180000 taken from cluster engagement/engagement-prod, account devstoreaccount1", progress[1]);
    }

    [Fact]
    public async Task ABackupJudgedStalledIsRecordedWithNoSourceNotTheJudgingSilos()
    {
        await using var table = await BackedUpTable.CreateAsync("Stl", "GrainState", "Asia/Shanghai", new TableEntity("p", "r"));
        var (options, tables, blobs) = (table.Options, table.Tables, table.Blobs);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        // The judging silo is a drill's; the copy that stalled may have been production's: the judge cannot tell.
        var judge = new BackupSource("engagement", "engagement-drill", "drillaccount");
        var backup = new TableBackup(tables, blobs, options, new FakeTimeProvider(TwoAmShanghai.AddMinutes(20)), NullLogger<TableBackup>.Instance, source: judge);
        var container = blobs.GetBlobContainerClient(options.Container);
        await container.CreateIfNotExistsAsync();

        Assert.True(await backup.AbandonAsync("20261129-180000", TwoAmShanghai, new TimeoutException("claim quiet for StalledAfter"), TableBackup.NewWriter()));

        var stored = (await container.GetBlobClient(TableBackup.ManifestBlobName("20261129-180000")).DownloadContentAsync()).Value.Content.ToObjectFromJson<BackupManifest>(TableBackup.ManifestJson);
        Assert.Equal(BackupManifest.Failed, stored!.Status);
        Assert.Null(stored.Source);
        var line = BackupListing.Line("20261129-180000", stored, zone);
        Assert.Contains("  source unknown", line, StringComparison.Ordinal);
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
