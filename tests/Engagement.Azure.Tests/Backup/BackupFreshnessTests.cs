using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// <c>engagement.backup.newest_complete_age</c>: seconds since the newest complete manifest finished, read from the
/// backup container (Azurite) at most once a minute and cached; a newer failed backup does not count. Pinned clock.
/// </summary>
public sealed class BackupFreshnessTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task The_gauge_is_the_age_of_the_newest_complete_backup_read_at_most_once_a_minute()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Fresh");
        try
        {
            // 02:00 complete (finished 02:20), 10:00 failed: the newest complete one is 02:00's.
            await ManifestAsync(backups, "20261129-180000", BackupManifest.Complete, Ten.AddHours(-7).AddMinutes(-40));
            await ManifestAsync(backups, "20261130-020000", BackupManifest.Failed, Ten.AddMinutes(12));
            var clock = new FakeTimeProvider(Ten.AddMinutes(20));
            using var freshness = new BackupFreshness(new BlobServiceClient(Azurite.ConnectionString), options, clock, NullLogger<BackupFreshness>.Instance);
            using var gauge = new Gauge(options.Container);

            // The first observation starts the read and has nothing to say yet; the next ones say 8 hours.
            Assert.Null(gauge.Read());
            await freshness.Reading;
            Assert.Equal(TimeSpan.FromHours(8).TotalSeconds, gauge.Read());

            // A newer complete backup is not seen before a minute has passed since the last read; then it is.
            await ManifestAsync(backups, "20261130-020000", BackupManifest.Complete, Ten.AddMinutes(15));
            clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(TimeSpan.FromHours(8).Add(TimeSpan.FromSeconds(30)).TotalSeconds, gauge.Read());
            await freshness.Reading;
            Assert.Equal(TimeSpan.FromHours(8).Add(TimeSpan.FromSeconds(30)).TotalSeconds, gauge.Read());

            clock.Advance(TimeSpan.FromSeconds(30));
            gauge.Read();
            await freshness.Reading;
            Assert.Equal(TimeSpan.FromMinutes(6).TotalSeconds, gauge.Read());
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task Another_clusters_backups_in_a_shared_container_never_count_and_one_with_no_source_counts_as_own()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Own");
        try
        {
            var production = new BackupSource("engagement", "engagement-prod", "prodaccount");
            var drill = new BackupSource("engagement", "engagement-drill", "drillaccount");

            // Production's last backup finished 06:00 (its job died since); the drill backed up at 09:00 and 09:50 into
            // the same container. A manifest of 04:00 has no source (written before manifests recorded it).
            await ManifestAsync(backups, "20261129-200000", BackupManifest.Complete, Ten.AddHours(-6), null);
            await ManifestAsync(backups, "20261129-220000", BackupManifest.Complete, Ten.AddHours(-4), production);
            await ManifestAsync(backups, "20261130-010000", BackupManifest.Complete, Ten.AddHours(-1), drill);
            await ManifestAsync(backups, "20261130-015000", BackupManifest.Complete, Ten.AddMinutes(-10), drill);
            var clock = new FakeTimeProvider(Ten);
            using var gauge = new Gauge(options.Container);

            // Production's gauge: 4 hours (its own 06:00), not the drill's 10 minutes.
            using (var freshness = new BackupFreshness(new BlobServiceClient(Azurite.ConnectionString), options, clock, NullLogger<BackupFreshness>.Instance, production))
            {
                gauge.Read();
                await freshness.Reading;
                Assert.Equal(TimeSpan.FromHours(4).TotalSeconds, gauge.Read());
            }

            // The drill's gauge: its own 09:50, never production's. A third cluster has only the sourceless 04:00 backup.
            using (var freshness = new BackupFreshness(new BlobServiceClient(Azurite.ConnectionString), options, clock, NullLogger<BackupFreshness>.Instance, drill))
            {
                gauge.Read();
                await freshness.Reading;
                Assert.Equal(TimeSpan.FromMinutes(10).TotalSeconds, gauge.Read());
            }

            using (var freshness = new BackupFreshness(new BlobServiceClient(Azurite.ConnectionString), options, clock, NullLogger<BackupFreshness>.Instance, production with { ClusterId = "engagement-blue" }))
            {
                gauge.Read();
                await freshness.Reading;
                Assert.Equal(TimeSpan.FromHours(6).TotalSeconds, gauge.Read());
            }
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    private static async Task ManifestAsync(BlobContainerClient backups, string name, string status, DateTimeOffset finishedAt, BackupSource? source = null) =>
        await backups.GetBlobClient(TableBackup.ManifestBlobName(name)).UploadAsync(
            BinaryData.FromObjectAsJson(new BackupManifest { Name = name, Status = status, StartedAt = finishedAt.AddMinutes(-5), FinishedAt = finishedAt, Source = source, Tables = [] }, TableBackup.ManifestJson),
            overwrite: true);

    /// <summary>Listens to the gauge for one container; <see cref="Read"/> observes it once.</summary>
    private sealed class Gauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private double? _last;

        public Gauge(string container)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngagementAzureMetrics.MeterName && instrument.Name == BackupFreshness.NewestCompleteAgeName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "container" && Equals(tag.Value, container))
                    {
                        _last = value;
                    }
                }
            });
            _listener.Start();
        }

        public double? Read()
        {
            _last = null;
            _listener.RecordObservableInstruments();
            return _last;
        }

        public void Dispose() => _listener.Dispose();
    }
}
