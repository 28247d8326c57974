using Azure.Core;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Engagement.Azure.Tests.Backup.ReportMarkerScene;
using Request = Azure.Core.Request;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The failure-reported marker's writes (<see cref="TableBackup.ReportOnceAsync"/>) whose answer is lost: storage did
/// the write, the SDK saw a timeout (<see cref="BlobFaults.LosesAnswer"/>, past its retry). A <c>reporting</c> create that
/// landed is this silo's: it reports and marks it <c>reported</c>, so another silo a quarter of StalledAfter later does
/// not take it over and report the failure a second time. A <c>reported</c> update that landed is not warned of as
/// failed. Azurite, one <see cref="FakeTimeProvider"/> (<see cref="ReportMarkerScene"/>).
/// </summary>
public sealed class BackupReportMarkerAnswerLostTests
{
    [Fact]
    public async Task A_reporting_marker_created_with_its_answer_lost_is_this_silos_and_the_failure_is_reported_once()
    {
        await using var scene = await StartAsync("MarkLost");
        await ReportedWithItsAnswerLostOnceAsync(scene, "If-None-Match");
        Assert.Empty(scene.Logs.Lines(LogLevel.Warning, $"Backup {ReportMarkerScene.Backup}", "could not record that its failure is reported"));
        Assert.StartsWith("reported ", await scene.MarkerAsync(), StringComparison.Ordinal);

        // Another silo a quarter of StalledAfter later finds it reported: not taken over, not reported again.
        scene.Clock.Advance(scene.Options.StalledAfter / 4);
        var second = new ReportListener();
        Assert.False(await scene.Silo(second, new BlobServiceClient(Azurite.ConnectionString)).ReportOnceAsync(Failure()));
        Assert.Empty(second.Failed);
        Assert.Empty(scene.Logs.Lines(LogLevel.Warning, $"Backup {ReportMarkerScene.Backup}", "this silo takes it over"));
    }

    [Fact]
    public async Task A_reported_update_that_landed_with_its_answer_lost_is_not_warned_of_as_failed()
    {
        await using var scene = await StartAsync("MarkLost2");
        await ReportedWithItsAnswerLostOnceAsync(scene, "If-Match");
        Assert.StartsWith("reported ", await scene.MarkerAsync(), StringComparison.Ordinal);
        Assert.Empty(scene.Logs.Lines(LogLevel.Warning, $"Backup {ReportMarkerScene.Backup}", "could not mark the report finished"));
    }

    /// <summary>
    /// One silo reports the failure while the first write of the marker carrying <paramref name="condition"/> lands with its
    /// answer lost: it says it reported, that write timed out once, and its listener heard the failure once.
    /// </summary>
    private static async Task ReportedWithItsAnswerLostOnceAsync(ReportMarkerScene scene, string condition)
    {
        var storage = new BlobFaults { LosesAnswer = BlobFaults.Once(r => MarkerWrite(r, condition)) };
        var listener = new ReportListener();
        Assert.True(await scene.Silo(listener, storage.Blobs()).ReportOnceAsync(Failure()));
        Assert.Equal(1, storage.TimedOut);
        Assert.Single(listener.Failed);
    }

    /// <summary>A write of the marker carrying <paramref name="condition"/> (the create: If-None-Match; the update to reported: If-Match).</summary>
    private static bool MarkerWrite(Request request, string condition) =>
        request.Method == RequestMethod.Put
        && request.Uri.Path.EndsWith($"/{ReportMarkerScene.Backup}/failure-reported", StringComparison.Ordinal)
        && request.Headers.TryGetValue(condition, out _);
}
