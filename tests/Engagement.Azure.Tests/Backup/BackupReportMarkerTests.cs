using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Engagement.Azure.Tests.Backup.ReportMarkerScene;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A failure with no manifest to carry it is reported once across the silos by a two-phase marker
/// (<see cref="TableBackup.ReportOnceAsync"/>): <c>reporting</c>, then <c>reported</c> once every listener heard it. A
/// <c>reporting</c> marker whose silo went quiet (stopped or crashed between marker and report, or a listener threw) is
/// taken over after a quarter of StalledAfter, so the failure is not left unreported cluster-wide. Azurite, one
/// <see cref="FakeTimeProvider"/> (<see cref="ReportMarkerScene"/>).
/// </summary>
public sealed class BackupReportMarkerTests
{
    [Fact]
    public async Task A_reporting_marker_left_by_a_silo_that_went_quiet_is_taken_over_and_the_failure_reported()
    {
        await using var scene = await StartAsync("Mark");

        // The first silo's listener throws: the marker stays 'reporting' (its report did not reach every listener).
        var throwing = new ReportListener(throws: true);
        var first = scene.Silo(throwing);
        Assert.True(await first.ReportOnceAsync(Failure()));
        Assert.Single(throwing.Failed);

        // A second silo a quarter of StalledAfter later takes it over and reports it; the marker then says reported.
        scene.Clock.Advance(scene.Options.StalledAfter / 4);
        var heard = new ReportListener(throws: false);
        Assert.True(await scene.Silo(heard).ReportOnceAsync(Failure()));
        Assert.Single(heard.Failed);
        Assert.StartsWith("reported ", await scene.MarkerAsync(), StringComparison.Ordinal);
        Assert.Single(scene.Logs.Lines(LogLevel.Warning, $"Backup {ReportMarkerScene.Backup}", "this silo takes it over"));

        // A third silo finds it reported and stays quiet.
        var third = new ReportListener(throws: false);
        Assert.False(await scene.Silo(third).ReportOnceAsync(Failure()));
        Assert.Empty(third.Failed);
    }

    [Fact]
    public async Task A_silo_that_finds_a_fresh_reporting_marker_waits_and_stays_quiet_once_it_is_reported()
    {
        await using var scene = await StartAsync("MarkWait");
        var (clock, backups) = (scene.Clock, scene.Backups);

        // Another silo is reporting it right now.
        await backups.GetBlobClient(TableBackup.FailureReportedBlobName(ReportMarkerScene.Backup)).UploadAsync(BinaryData.FromString($"reporting other-writer {clock.GetUtcNow():O} other: it failed"));
        var listener = new ReportListener(throws: false);
        var waiting = scene.Silo(listener).ReportOnceAsync(Failure());

        // That silo finishes its report; the waiting one sees it at its next look and does not report.
        await backups.GetBlobClient(TableBackup.FailureReportedBlobName(ReportMarkerScene.Backup)).UploadAsync(BinaryData.FromString($"reported other-writer {clock.GetUtcNow():O} other: it failed"), overwrite: true);
        await Eventually.TrueAsync(
            () =>
            {
                if (waiting.IsCompleted)
                {
                    return true;
                }

                clock.Advance(scene.Options.StalledAfter / 16);
                return false;
            },
            TimeSpan.FromSeconds(20),
            "the waiting silo done");
        Assert.False(await waiting);
        Assert.Empty(listener.Failed);
    }
}
