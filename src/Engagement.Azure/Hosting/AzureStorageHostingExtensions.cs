using Engagement.Azure.Ledger;
using Engagement.Azure.Lifecycle;
using Engagement.Azure.Touches;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>
/// Wires the engine's storage into a silo: grain state (provider <see cref="StorageNames.GrainState"/>), the
/// reminder table, the ledger archive (<see cref="ILedgerArchive"/>) and the touch outbox
/// (<see cref="ITouchOutbox"/>), all on one storage account described by <see cref="EngagementStorageOptions"/>.
/// </summary>
/// <remarks>
/// <b>Multi-silo safety.</b> Every provider registered here is safe with several silos sharing the account: grain
/// state writes and reminder removals are ETag-guarded, ledger rows are idempotent upserts keyed by sequence, and
/// touches carry deterministic ids for connectors to de-duplicate.
/// </remarks>
public static class AzureStorageHostingExtensions
{
    /// <summary>
    /// Registers all Azure storage, reading <c>ConnectionStrings:AzureStorage</c> (default
    /// <c>UseDevelopmentStorage=true</c>) and the section <c>Engagement:Storage</c> (table and queue names).
    /// </summary>
    public static ISiloBuilder AddEngagementAzureStorage(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddEngagementAzureStorage(options =>
        {
            configuration.GetSection(EngagementStorageOptions.SectionName).Bind(options);
            if (configuration.GetConnectionString(EngagementStorageOptions.ConnectionStringName) is { Length: > 0 } connectionString)
            {
                options.ConnectionString = connectionString;
            }
        });
    }

    /// <summary>Registers all Azure storage on the account given by <paramref name="connectionString"/>, with default names.</summary>
    public static ISiloBuilder AddEngagementAzureStorage(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.AddEngagementAzureStorage(options => options.ConnectionString = connectionString);
    }

    /// <summary>Registers all Azure storage, configured in code.</summary>
    public static ISiloBuilder AddEngagementAzureStorage(this ISiloBuilder builder, Action<EngagementStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<EngagementStorageOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngagementStorageOptions>, EngagementStorageOptionsValidator>());
        services.TryAddSingleton<EngagementStorageClients>();

        builder.AddEngagementTableGrainStorage(StorageNames.GrainState, options => options.Configure<EngagementStorageClients>((o, clients) =>
        {
            o.TableServiceClient = clients.Tables;
            o.TableName = clients.Options.GrainStateTableName;
            o.DeleteStateOnClear = clients.Options.DeleteStateOnClear;
        }));

        builder.AddEngagementTableReminders(options => options.Configure<EngagementStorageClients>((o, clients) =>
        {
            o.TableServiceClient = clients.Tables;
            o.TableName = clients.Options.ReminderTableName;
        }));

        services.TryAddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<EngagementStorageClients>();
            return new AzureTableLedgerArchive(clients.Tables, clients.Options.LedgerTableName);
        });
        services.RemoveAll<ILedgerArchive>();
        services.AddSingleton<ILedgerArchive>(sp => sp.GetRequiredService<AzureTableLedgerArchive>());

        services.TryAddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<EngagementStorageClients>();
            return new AzureQueueTouchOutbox(clients.Queues, clients.Options.TouchQueueName);
        });
        services.RemoveAll<ITouchOutbox>();
        services.AddSingleton<ITouchOutbox>(sp => sp.GetRequiredService<AzureQueueTouchOutbox>());

        services.TryAddSingleton(sp => new AzureTableLifecycleJournal(sp.GetRequiredService<EngagementStorageClients>().Tables, AzureTableLifecycleJournal.DefaultTableName));
        services.RemoveAll<ILifecycleJournal>();
        services.AddSingleton<ILifecycleJournal>(sp => sp.GetRequiredService<AzureTableLifecycleJournal>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, EngagementStorageInitializer>());
        return builder;
    }
}

/// <summary>Creates the ledger table and the touch queue when the silo starts, so a missing account fails fast.</summary>
internal sealed class EngagementStorageInitializer(AzureTableLedgerArchive ledger, AzureQueueTouchOutbox touches, AzureTableLifecycleJournal journal)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EngagementStorageInitializer), ServiceLifecycleStage.ApplicationServices, async cancellationToken =>
        {
            await ledger.InitializeAsync(cancellationToken);
            await touches.InitializeAsync(cancellationToken);
            await journal.InitializeAsync(cancellationToken);
        });
}
