using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Ledger;
using Engagement.Azure.Reminders;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Storage;
using Engagement.Azure.Touches;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Hosting;

/// <summary>The registration a silo host uses, started for real against Azurite.</summary>
public sealed class AzureStorageHostingTests : IAsyncLifetime
{
    private readonly string _suffix = Azurite.UniqueName("t");

    /// <summary>
    /// The silo's tables and touch queue, which it creates at startup, and its metrics table, which the programme creates
    /// when it first needs it: named too, so nothing falls back to the engine's shared default, and deleted with the rest.
    /// </summary>
    private SiloStorage Storage => new() { GrainStateTable = "gs" + _suffix, ReminderTable = "rem" + _suffix, LedgerTable = "ledger" + _suffix, MetricsTable = "metrics" + _suffix, TouchQueue = "touches-" + _suffix };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Storage.DeleteAsync();

    private IHost BuildSilo(Dictionary<string, string?> settings) =>
        AzuriteSilo.Build(settings, "svc-" + _suffix, (silo, configuration) => silo.AddEngagementAzureStorage(configuration));

    private Dictionary<string, string?> Settings() => Storage.Settings();

    [Fact]
    public async Task ASiloStartsWithEveryProviderOnAzureAndCreatesItsTablesAndQueue()
    {
        using var host = BuildSilo(Settings());
        await host.StartAsync();
        try
        {
            var services = host.Services;
            var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
            Assert.IsType<Orleans.Storage.AzureTableGrainStorage>(Assert.IsType<GrainStateSizeGuard>(storage).Inner);
            Assert.IsType<Orleans.Runtime.ReminderService.AzureBasedReminderTable>(Assert.IsType<CountingReminderTable>(services.GetRequiredService<IReminderTable>()).Inner);
            Assert.IsType<AzureTableLedgerArchive>(services.GetRequiredService<ILedgerArchive>());
            Assert.IsType<AzureQueueTouchOutbox>(services.GetRequiredService<ITouchOutbox>());

            var tables = StorageClients.Tables();
            foreach (var table in Storage.Tables.Where(t => t != Storage.MetricsTable))
            {
                var found = new List<TableItem>();
                await foreach (var item in tables.QueryAsync(t => t.Name == table))
                {
                    found.Add(item);
                }

                Assert.Single(found);
            }

            Assert.True(await StorageClients.Queues().GetQueueClient(Storage.TouchQueue!).ExistsAsync());

            var state = new TestGrainState<TestState>(new TestState { Name = "via silo" });
            await storage.WriteStateAsync("member", GrainId.Create("member", "M1"), state);
            var read = new TestGrainState<TestState>(new TestState());
            await storage.ReadStateAsync("member", GrainId.Create("member", "M1"), read);
            Assert.Equal("via silo", read.State.Name);

            var health = await StorageHealth.CheckAsync(services);
            Assert.True(health.IsHealthy, health.Description);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task OrleansRemindersAreWrittenToAndRemovedFromTheAzureTable()
    {
        using var host = BuildSilo(Settings());
        await host.StartAsync();
        try
        {
            var table = host.Services.GetRequiredService<IReminderTable>();
            var stats = host.Services.GetRequiredService<ReminderTableStats>();
            var probe = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IReminderProbeGrain>("M-reminded");
            var member = probe.GetGrainId();
            var upsertsBefore = stats.Upserts;

            Assert.Equal("lifecycle", await probe.RegisterAsync("lifecycle", TimeSpan.FromHours(24)));

            var row = await table.ReadRow(member, "lifecycle");
            Assert.NotNull(row);
            Assert.Equal(TimeSpan.FromHours(24), row.Period);
            Assert.True(stats.Upserts > upsertsBefore);
            Assert.Single((await table.ReadRows(member)).Reminders);

            Assert.True(await probe.UnregisterAsync("lifecycle"));

            Assert.Null(await table.ReadRow(member, "lifecycle"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AnInvalidTableNameStopsTheSiloAtStartup()
    {
        var settings = Settings();
        settings["Engagement:Storage:LedgerTableName"] = "not a table";
        using var host = BuildSilo(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("LedgerTableName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGrainStateBoundBeyondWhatOneRowHoldsStopsTheSiloAtStartup()
    {
        var settings = Settings();
        settings["Engagement:Storage:MaxGrainStateBytes"] = "600000";
        using var host = BuildSilo(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("MaxGrainStateBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultConnectionStringIsTheAzuriteAccountOnLoopback()
    {
        var options = new EngagementStorageOptions();
        var clients = new EngagementStorageClients(Options.Create(options));

        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Equal("127.0.0.1", clients.Tables.Uri.Host);
        Assert.Equal("127.0.0.1", clients.Queues.Uri.Host);
        Assert.Equal("EngagementGrainState", options.GrainStateTableName);
        Assert.Equal("EngagementReminders", options.ReminderTableName);
        Assert.Equal("EngagementLedger", options.LedgerTableName);
        Assert.Equal("EngagementSilos", options.MembershipTableName);
        Assert.Equal(480 * 1024, options.MaxGrainStateBytes);
        // The member at every default cap at once, every collection counted, fits the default with a 10% margin at least.
        Assert.True(Engagement.Domain.Members.MemberStateSizes.EveryCapAtOnceCharacters <= options.MaxGrainStateBytes * 90 / 100, "the every-cap member no longer fits the default with its margin");
        Assert.Equal("engagement-touches", options.TouchQueueName);
    }

    [Fact]
    public async Task HealthReportsUnreachableStorageWithoutThrowing()
    {
        const string nowhere = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        var tables = new TableServiceClient(nowhere, new TableClientOptions { Retry = { MaxRetries = 0 } });
        var queues = new QueueServiceClient(nowhere, new QueueClientOptions { Retry = { MaxRetries = 0 } });

        var health = await StorageHealth.CheckAsync(tables, queues);

        Assert.False(health.IsHealthy);
        Assert.NotNull(health.Exception);
        // Served on the unauthenticated /health/ready: types and codes, not the exception's message naming the host.
        Assert.StartsWith("Azure Storage is unreachable (", health.Description, StringComparison.Ordinal);
        Assert.Contains("HttpRequestException", health.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthIsGoodOnAzurite()
    {
        var health = await StorageHealth.CheckAsync(Azurite.ConnectionString);

        Assert.True(health.IsHealthy, health.Description);
    }
}
