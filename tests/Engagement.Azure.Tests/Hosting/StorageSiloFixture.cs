using Azure.Data.Tables;
using Engagement.Azure.Hosting;
using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Hosting;

/// <summary>
/// One silo started with the engine's storage registration (the official Azure providers) on tables of its own,
/// so the contract tests exercise exactly what the engine runs on, against Azurite.
/// </summary>
public sealed class StorageSiloFixture : IAsyncLifetime
{
    /// <summary>
    /// The grain-state bound this silo runs with: the default, left unset, so the contract tests show that a state at the
    /// default bound goes whole into one row of the official provider on Azurite, and one past it is refused.
    /// </summary>
    public const int MaxGrainStateBytes = EngagementStorageOptions.DefaultMaxGrainStateBytes;

    private readonly string _suffix = Azurite.UniqueName("c");
    private IHost? _host;

    public string ServiceId => "svc-" + _suffix;

    public string GrainStateTable => "gs" + _suffix;

    public string ReminderTable => "rem" + _suffix;

    /// <summary>The silo's tables and touch queue: grain state and reminders public, the rest named so they are deleted too.</summary>
    private SiloStorage Names => new() { GrainStateTable = GrainStateTable, ReminderTable = ReminderTable, LedgerTable = "ledger" + _suffix, MetricsTable = "metrics" + _suffix, TouchQueue = "touches-" + _suffix };

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);

    public IReminderTable Reminders => Services.GetRequiredService<IReminderTable>();

    public ReminderTableStats ReminderStats => Services.GetRequiredService<ReminderTableStats>();

    public TableClient GrainStateRows => StorageClients.Tables().GetTableClient(GrainStateTable);

    public async Task InitializeAsync()
    {
        _host = AzuriteSilo.Build(
            Names.Settings(),
            ServiceId,
            (silo, configuration) => silo.AddEngagementAzureStorage(configuration),
            host: builder => builder.Services.AddSingleton(new ReminderTableStats()));
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await AzuriteSilo.StopAsync(_host);
        await Names.DeleteAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StorageSiloCollection : ICollectionFixture<StorageSiloFixture>
{
    public const string Name = "the engine's storage registration on Azurite";
}
