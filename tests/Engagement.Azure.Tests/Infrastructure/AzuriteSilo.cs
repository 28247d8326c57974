using Engagement.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>
/// The silo host the Azurite-backed tests start (StorageSiloFixture, ProgrammeSilo and the tests that host a silo of their
/// own): the engine's storage settings on the test Azurite with the tables and queue the test names
/// (<see cref="SiloStorage"/>), an engine clock the test pins, localhost clustering on two test ports (cluster "c"), and
/// the registrations the test adds. One builder, so those hosts differ only in what each test says, and each deletes what
/// it made (<see cref="SiloStorage.DeleteAsync"/>, <see cref="DeleteAsync"/>).
/// </summary>
public static class AzuriteSilo
{
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

    /// <summary>Deletes the test's <paramref name="tables"/> (quietly) and its <paramref name="queues"/> (those not null).</summary>
    public static async Task DeleteAsync(IEnumerable<string> tables, params string?[] queues)
    {
        foreach (var table in tables)
        {
            await StorageClients.DeleteTableQuietlyAsync(table);
        }

        foreach (var queue in queues.OfType<string>())
        {
            await StorageClients.Queues().GetQueueClient(queue).DeleteIfExistsAsync();
        }
    }
}

/// <summary>
/// The tables and touch queue of the engine's storage a test silo runs on, each named by its property (a required init
/// property, so two names cannot be swapped by position); a name left null is left unset, the engine's default (a
/// table or queue shared by every test of the run, which none of them deletes: name all that the silo uses).
/// </summary>
public sealed record SiloStorage
{
    /// <summary>Engagement:Storage:GrainStateTableName.</summary>
    public required string GrainStateTable { get; init; }

    /// <summary>Engagement:Storage:ReminderTableName.</summary>
    public required string ReminderTable { get; init; }

    /// <summary>Engagement:Storage:LedgerTableName (null: the engine's default).</summary>
    public string? LedgerTable { get; init; }

    /// <summary>Engagement:Storage:MetricsTableName (null: the engine's default).</summary>
    public string? MetricsTable { get; init; }

    /// <summary>Engagement:Storage:TouchQueueName (null: the engine's default).</summary>
    public string? TouchQueue { get; init; }

    /// <summary>
    /// Every table and queue of the engine's storage named <c>{kind}{suffix}</c>: gs, rem, ledger, metrics, and the touch
    /// queue <c>touches-{suffix}</c> (a queue name is lower case: <paramref name="suffix"/> is lowered for it).
    /// </summary>
    public static SiloStorage Named(string suffix) => new()
    {
        GrainStateTable = "gs" + suffix,
        ReminderTable = "rem" + suffix,
        LedgerTable = "ledger" + suffix,
        MetricsTable = "metrics" + suffix,
        TouchQueue = "touches-" + suffix.ToLowerInvariant(),
    };

    /// <summary>The tables named here (not null).</summary>
    public IReadOnlyList<string> Tables => new[] { GrainStateTable, ReminderTable, LedgerTable, MetricsTable }.OfType<string>().ToList();

    /// <summary>
    /// The settings of the engine's storage on the test Azurite: its connection string and the names given. Add a test's
    /// own settings to the dictionary returned.
    /// </summary>
    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
            ["Engagement:Storage:GrainStateTableName"] = GrainStateTable,
            ["Engagement:Storage:ReminderTableName"] = ReminderTable,
        };
        if (LedgerTable is not null)
        {
            settings["Engagement:Storage:LedgerTableName"] = LedgerTable;
        }

        if (MetricsTable is not null)
        {
            settings["Engagement:Storage:MetricsTableName"] = MetricsTable;
        }

        if (TouchQueue is not null)
        {
            settings["Engagement:Storage:TouchQueueName"] = TouchQueue;
        }

        return settings;
    }

    /// <summary>Deletes every table named here (quietly), the touch queue, and <paramref name="otherQueues"/> the test made beside them.</summary>
    public Task DeleteAsync(params string?[] otherQueues) => AzuriteSilo.DeleteAsync(Tables, [TouchQueue, .. otherQueues]);
}
