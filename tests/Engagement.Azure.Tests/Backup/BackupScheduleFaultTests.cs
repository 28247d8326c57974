using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The schedule under storage trouble: an unreachable account (real connection failures to a closed port,
/// <see cref="UnreachableStorage"/>) at a slot or during a watch must neither end the schedule (an exception out of
/// <c>ExecuteAsync</c> stops the silo) nor let a backup end unreported. Azurite, a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class BackupScheduleFaultTests
{
    /// <summary>09:59:30 in Shanghai on 30 Nov 2026: the 10:00 slot (backup 20261130-020000) is 30 s away.</summary>
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task StorageUnreachableAtASlotWhileAnotherBackupCopiesNeitherEndsTheScheduleNorStopsTheSilo()
    {
        // The 02:00 backup is copying on another silo (its claim is fresh, no manifest) when this silo starts.
        var (options, backups) = await ContainerAsync("Down");
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        var storage = new UnreachableStorage();

        var clock = new FakeTimeProvider(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var silo = Silo(options, clock, loggers, storage.Blobs());
        await silo.StartAsync(CancellationToken.None);
        try
        {
            // The watch looked at the copy (its manifest, its claim): it is running. Then the account becomes unreachable.
            await Eventually.TrueAsync(() => Waits(logs) == 1 && storage.Passed >= 2, TimeSpan.FromSeconds(20), "the silo watches the 02:00 copy and waits for 10:00");
            storage.Down = UnreachableStorage.All;

            await StepAsync(clock, Ten, () => Waits(logs) == 2 || silo.ExecuteTask!.IsCompleted, "the schedule past 10:00");

            Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception}");
            Assert.Equal(2, Waits(logs));
            Assert.NotEmpty(logs.Lines(LogLevel.Warning, "Backup 20261129-180000", "could not tell whether it is still copying"));
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED"));
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
            silo.Dispose();
            await backups.DeleteIfExistsAsync();
        }
    }

    /// <summary>A fresh container and options for it (StalledAfter 10 minutes, Shanghai schedule).</summary>
    internal static async Task<(BackupOptions Options, BlobContainerClient Backups)> ContainerAsync(string prefix)
    {
        var options = new BackupOptions { TablePrefix = prefix + Guid.NewGuid().ToString("N")[..10], Container = Azurite.UniqueName("backups-"), TimeZone = "Asia/Shanghai", StalledAfter = TimeSpan.FromMinutes(10) };
        var backups = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(options.Container);
        await backups.CreateIfNotExistsAsync();
        return (options, backups);
    }

    /// <summary>One silo's scheduler on <paramref name="blobs"/>; its backups copy the test Azurite's tables.</summary>
    internal static BackupScheduler Silo(BackupOptions options, FakeTimeProvider clock, ILoggerFactory loggers, BlobServiceClient blobs, params IBackupFailureListener[] listeners) => new(
        new TableBackup(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>(), listeners),
        blobs,
        Options.Create(options),
        clock,
        loggers.CreateLogger<BackupScheduler>());

    /// <summary>"Next backup at …" lines: one when a silo starts and one after each slot it finished.</summary>
    internal static int Waits(LogCapture logs) => logs.Lines(LogLevel.Information, "Next backup at").Count;

    /// <summary>Sets the clock to <paramref name="at"/>, then moves it a second per poll until <paramref name="done"/>.</summary>
    internal static Task StepAsync(FakeTimeProvider clock, DateTimeOffset at, Func<bool> done, string what)
    {
        clock.SetUtcNow(at);
        return Eventually.TrueAsync(
            () =>
            {
                if (!done())
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                }

                return done();
            },
            TimeSpan.FromSeconds(30),
            what);
    }
}
