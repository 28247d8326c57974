using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Issue 14 §4 on the real host (Program.cs): a failed backup raises the programme's <c>data.anomaly</c> alert, seen
/// on <c>GET /api/v1/alerts</c>, and the next complete backup resolves it. The backups are driven with the failure
/// listeners the host registered, as its scheduled <see cref="TableBackup"/> has them; the failure is real (an account
/// nobody listens on), the success a real backup of one table on Azurite.
/// </summary>
[Collection(OperationsHostCollection.Name)]
public sealed class BackupAlertTests(OperationsHostFixture host)
{
    [Fact]
    public async Task AFailedBackupOpensTheDataAnomalyAlertOnTheApiAndTheNextCompleteBackupResolvesIt()
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")!;
        var prefix = "BkAlert" + Guid.NewGuid().ToString("N")[..10];
        var options = new BackupOptions { TablePrefix = prefix, Container = "bk-alert-" + Guid.NewGuid().ToString("N")[..12], FirstTables = [prefix + "GrainState"] };
        var listeners = host.Services.GetServices<IBackupFailureListener>().ToList();
        var logger = host.Services.GetRequiredService<ILogger<TableBackup>>();
        // The host's clock, as its scheduled backups and its alerts read it.
        var clock = host.Services.GetRequiredService<TimeProvider>();
        var blobs = new BlobServiceClient(connection);
        using var admin = host.Client(OperationsHostFixture.AlertsKey);

        // Nobody listens on port 9 (discard): the backup fails at once, without retries.
        var deadTables = new TableServiceClient(
            new Uri("http://127.0.0.1:9/devstoreaccount1"),
            new TableSharedKeyCredential("devstoreaccount1", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
            new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } });
        // Named a second before now: a backup's manifest is written once (If-None-Match), so the complete run below, named
        // for now, must not fall on the same second as this failed one, or it would find that 'failed' record standing.
        var failedName = TableBackup.NameFor(clock.GetUtcNow().AddSeconds(-1));
        await Assert.ThrowsAnyAsync<Exception>(() => new TableBackup(deadTables, blobs, options, clock, logger, listeners).RunAsync(failedName));

        var open = await BackupAlertsAsync(admin, "open");
        var raised = Assert.Single(open);
        Assert.Equal("open", raised["state"]!.GetValue<string>());
        Assert.Contains("failed", raised["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var tables = new TableServiceClient(connection);
        await tables.CreateTableIfNotExistsAsync(prefix + "GrainState");
        try
        {
            var manifest = await new TableBackup(tables, blobs, options, clock, logger, listeners).RunAsync();
            Assert.Equal(BackupManifest.Complete, manifest.Status);
            Assert.Empty(await BackupAlertsAsync(admin, "open"));
            Assert.Contains(await BackupAlertsAsync(admin, "resolved"), a => a["alertId"]!.GetValue<string>() == raised["alertId"]!.GetValue<string>());
        }
        finally
        {
            await tables.DeleteTableAsync(prefix + "GrainState");
            await blobs.GetBlobContainerClient(options.Container).DeleteIfExistsAsync();
        }
    }

    /// <summary>The <c>data.anomaly</c> alerts of source <c>backup</c> in <paramref name="state"/>, through the API.</summary>
    private static async Task<List<JsonNode>> BackupAlertsAsync(HttpClient admin, string state)
    {
        var alerts = (await admin.GetFromJsonAsync<JsonArray>($"api/v1/alerts?state={state}&limit=50"))!;
        return alerts
            .Where(a => a!["rule"]!.GetValue<string>() == "data.anomaly" && a["regionId"]!.GetValue<string>() == AnomalyBackupFailureListener.Source)
            .Select(a => a!)
            .ToList();
    }
}
