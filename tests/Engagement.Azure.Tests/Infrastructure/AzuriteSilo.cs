using Engagement.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>
/// The silo host the Azurite-backed tests start (StorageSiloFixture, ProgrammeSilo and the tests that host a silo of their
/// own): the engine's storage settings on the test Azurite with the tables and queue the test names, an engine clock the
/// test pins, localhost clustering on two test ports (cluster "c"), and the registrations the test adds. One builder, so
/// those hosts differ only in what each test says, and each deletes what it made with <see cref="DeleteAsync"/>.
/// </summary>
public static class AzuriteSilo
{
    /// <summary>
    /// The settings of the engine's storage on the test Azurite: its connection string and the tables (and touch queue)
    /// given; a null name is left unset (the engine's default). Add a test's own settings to the dictionary returned.
    /// </summary>
    public static Dictionary<string, string?> StorageSettings(string grainStateTable, string reminderTable, string? ledgerTable = null, string? touchQueue = null, string? metricsTable = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
            ["Engagement:Storage:GrainStateTableName"] = grainStateTable,
            ["Engagement:Storage:ReminderTableName"] = reminderTable,
        };
        if (ledgerTable is not null)
        {
            settings["Engagement:Storage:LedgerTableName"] = ledgerTable;
        }

        if (metricsTable is not null)
        {
            settings["Engagement:Storage:MetricsTableName"] = metricsTable;
        }

        if (touchQueue is not null)
        {
            settings["Engagement:Storage:TouchQueueName"] = touchQueue;
        }

        return settings;
    }

    /// <summary>
    /// A silo host, built and not started: <paramref name="settings"/> as its configuration, then <paramref name="host"/>'s
    /// registrations (logging, services beside the silo), the engine clock (<see cref="EngagementTime.Key"/>) when
    /// <paramref name="clock"/> is given, and a silo on localhost (<paramref name="serviceId"/>, cluster "c", two free test
    /// ports) that <paramref name="silo"/> configures with the host's configuration.
    /// </summary>
    public static IHost Build(
        IEnumerable<KeyValuePair<string, string?>> settings,
        string serviceId,
        Action<ISiloBuilder, IConfiguration> silo,
        TimeProvider? clock = null,
        Action<HostApplicationBuilder>? host = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        host?.Invoke(builder);
        if (clock is not null)
        {
            builder.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, clock);
        }

        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(siloPort: Engagement.Testing.TestPorts.Next(), gatewayPort: Engagement.Testing.TestPorts.Next(), serviceId: serviceId, clusterId: "c");
            silo(orleans, builder.Configuration);
        });
        return builder.Build();
    }

    /// <summary>The host <see cref="Build"/> makes, started.</summary>
    public static async Task<IHost> StartAsync(
        IEnumerable<KeyValuePair<string, string?>> settings,
        string serviceId,
        Action<ISiloBuilder, IConfiguration> silo,
        TimeProvider? clock = null,
        Action<HostApplicationBuilder>? host = null)
    {
        var started = Build(settings, serviceId, silo, clock, host);
        await started.StartAsync();
        return started;
    }

    /// <summary>Stops and disposes <paramref name="host"/> (nothing when null: a test whose start failed).</summary>
    public static async Task StopAsync(IHost? host)
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Deletes the test's <paramref name="tables"/> (quietly) and its <paramref name="queue"/> when given.</summary>
    public static async Task DeleteAsync(IEnumerable<string> tables, string? queue = null)
    {
        foreach (var table in tables)
        {
            await StorageClients.DeleteTableQuietlyAsync(table);
        }

        if (queue is not null)
        {
            await StorageClients.Queues().GetQueueClient(queue).DeleteIfExistsAsync();
        }
    }
}
