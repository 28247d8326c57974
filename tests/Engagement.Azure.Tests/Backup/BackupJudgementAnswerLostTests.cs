using Azure.Core;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using Request = Azure.Core.Request;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A watcher that judges a backup stalled writes its failed manifest and reports it, even when the manifest's create
/// lands and its answer is lost: within the SDK's own retry (one try dropped) or past it (the call times out after the
/// write). The manifest carries the watch's writer id, so its next look knows the failed manifest for its own and reports
/// it; before, it took the manifest for another silo's ("it has its manifest") and nobody reported. Azurite, one
/// <see cref="WaitedClock"/> stepped only while the silo waits on it at rest and has no request under way.
/// </summary>
public sealed class BackupJudgementAnswerLostTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData("try")]
    [InlineData("call")]
    public async Task A_stalled_backup_whose_failed_manifest_lands_with_its_answer_lost_is_reported_once(string lost)
    {
        // The only silo claimed 10:00, was killed, and starts again at 10:05: its watch judges the quiet claim stalled.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Lost" + lost);
        await backups.GetBlobClient($"{Backup}/claim").UploadAsync(BinaryData.FromString("the-only-silo"));
        var faults = new BlobFaults();
        if (lost == "try")
        {
            faults.TryLosesAnswer = BlobFaults.Once(ManifestCreate);
        }
        else
        {
            faults.LosesAnswer = BlobFaults.Once(ManifestCreate);
        }

        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        var failed = () => logs.Lines(LogLevel.Error, $"Backup {Backup}", "FAILED");
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo watches 10:00 and waits for 18:00");
        // At rest: the schedule's wait for 18:00 and the watch's between looks.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddHours(1), "the stalled backup reported", "the stalled backup not reported by 11:00", 2, faults);

        // The answer was lost as the test asked, the manifest is the failed one, and it was reported once.
        Assert.Equal(1, lost == "try" ? faults.TriesDropped : faults.TimedOut);
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Information, $"Backup {Backup}, taken by another silo: done watching").Count > 0, TimeSpan.FromSeconds(20), "the watch done");
        Assert.Single(failed());
    }

    private static bool ManifestCreate(Request request) =>
        request.Method == RequestMethod.Put && request.Uri.Path.EndsWith($"/{Backup}/manifest.json", StringComparison.Ordinal);
}
