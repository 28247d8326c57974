using Engagement.Azure.Ledger;
using Engagement.Azure.Lifecycle;
using Engagement.Azure.Offers;
using Engagement.Azure.Reminders;
using Engagement.Azure.Storage;
using Engagement.Azure.Touches;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.ReminderService;

namespace Engagement.Azure.Hosting;

/// <summary>
/// Wires the engine's storage into a silo: grain state (provider <see cref="StorageNames.GrainState"/>), the
/// reminder table, the ledger archive (<see cref="ILedgerArchive"/>) and the touch outbox
/// (<see cref="ITouchOutbox"/>), all on one storage account described by <see cref="EngagementStorageOptions"/>.
/// </summary>
/// <remarks>
/// <para><b>Official providers where they fit.</b> Grain state is the official Azure table provider
/// (<c>Microsoft.Orleans.Persistence.AzureStorage</c>) in string format with the engine's System.Text.Json serializer,
/// behind <see cref="GrainStateSizeGuard"/>; reminders are the official Azure table reminder service
/// (<c>Microsoft.Orleans.Reminders.AzureStorage</c>) behind <see cref="CountingReminderTable"/>. The ledger, journal,
/// index and touch outbox are the engine's own append-only stores.</para>
/// <para><b>Multi-silo safety.</b> Every provider registered here is safe with several silos sharing the account: grain
/// state writes are ETag-guarded (a stale writer gets <c>InconsistentStateException</c>), ledger rows are idempotent
/// upserts keyed by sequence, and touches carry deterministic ids for connectors to de-duplicate.</para>
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

        builder.AddAzureTableGrainStorage(StorageNames.GrainState, options => options.Configure<EngagementStorageClients>((o, clients) =>
        {
            o.TableServiceClient = clients.Tables;
            o.TableName = clients.Options.GrainStateTableName;
            o.DeleteStateOnClear = clients.Options.DeleteStateOnClear;
            o.UseStringFormat = true;
            o.GrainStorageSerializer = new BoundedJsonGrainStateSerializer(clients.Options.MaxGrainStateBytes);
        }));
        GrainStateSizeGuard.Decorate(services, StorageNames.GrainState);

        builder.UseAzureTableReminderService(options => options.Configure<EngagementStorageClients>((o, clients) =>
        {
            o.TableServiceClient = clients.Tables;
            o.TableName = clients.Options.ReminderTableName;
        }));
        services.TryAddSingleton(ReminderTableStats.Shared);
        services.RemoveAll<IReminderTable>();
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<AzureBasedReminderTable>(sp));
        services.TryAddSingleton(sp => new CountingReminderTable(sp.GetRequiredService<AzureBasedReminderTable>(), sp.GetRequiredService<ReminderTableStats>()));
        services.AddSingleton<IReminderTable>(sp => sp.GetRequiredService<CountingReminderTable>());

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

        services.TryAddSingleton(sp => new AzureTableCouponCodeDirectory(sp.GetRequiredService<EngagementStorageClients>().Tables));
        services.RemoveAll<ICouponCodeDirectory>();
        services.AddSingleton<ICouponCodeDirectory>(sp => sp.GetRequiredService<AzureTableCouponCodeDirectory>());

        services.TryAddSingleton(sp => new AzureTableLifecycleJournal(sp.GetRequiredService<EngagementStorageClients>().Tables, AzureTableLifecycleJournal.DefaultTableName));
        services.RemoveAll<ILifecycleJournal>();
        services.AddSingleton<ILifecycleJournal>(sp => sp.GetRequiredService<AzureTableLifecycleJournal>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, EngagementStorageInitializer>());
        return builder;
    }
}

/// <summary>Cluster membership on the engine's storage account.</summary>
public static class ClusteringHostingExtensions
{
    /// <summary>
    /// Joins the silo to the cluster recorded in the Azure membership table (official
    /// <c>Microsoft.Orleans.Clustering.AzureStorage</c>), table <see cref="EngagementStorageOptions.MembershipTableName"/>
    /// on the account of <c>ConnectionStrings:AzureStorage</c>. Silos with the same <c>ClusterOptions.ClusterId</c> on one
    /// account form one cluster. Call with <see cref="AzureStorageHostingExtensions.AddEngagementAzureStorage(ISiloBuilder, IConfiguration)"/>.
    /// </summary>
    public static ISiloBuilder UseEngagementAzureClustering(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<EngagementStorageClients>();
        return builder.UseAzureStorageClustering(options => options.Configure<EngagementStorageClients>((o, clients) =>
        {
            o.TableServiceClient = clients.Tables;
            o.TableName = clients.Options.MembershipTableName;
        }));
    }
}

/// <summary>
/// Creates the ledger table and the touch queue when the silo starts, so a missing account fails fast; warns when the
/// grain-state bound is below what a member at the configured campaign caps (<see cref="CampaignOptions"/>), every other
/// per-member cap full at its default and the ids it keeps as keys at their worst measures
/// (<see cref="MemberStateSizes.EveryCapAtOnce"/>; ids kept as sent in ledger entries and redeemed coupons are not counted,
/// its remarks), or below what the alert book may grow to.
/// </summary>
internal sealed partial class EngagementStorageInitializer(
    AzureTableLedgerArchive ledger,
    AzureQueueTouchOutbox touches,
    AzureTableLifecycleJournal journal,
    IOptions<EngagementStorageOptions> options,
    IOptions<CampaignOptions> campaigns,
    ILogger<EngagementStorageInitializer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EngagementStorageInitializer), ServiceLifecycleStage.ApplicationServices, async cancellationToken =>
        {
            // Allowed (a small bound suits a programme with smaller caps), but said: a member at every configured cap would be refused.
            var everyCap = MemberStateSizes.EveryCapAtOnce(campaigns.Value.MaxAttributedOrders, campaigns.Value.MaxMembershipsKept);
            if (options.Value.MaxGrainStateBytes < everyCap)
            {
                LogBoundBelowEveryCap(logger, options.Value.MaxGrainStateBytes, everyCap, campaigns.Value.MaxAttributedOrders, campaigns.Value.MaxMembershipsKept);
            }

            // The alert book's bounds are fixed for the largest bound (AlertBookBounds): below them a full book's writes are refused.
            if (options.Value.MaxGrainStateBytes < AlertBookBounds.ResolveMaxBytes)
            {
                LogBoundBelowAlertBook(logger, options.Value.MaxGrainStateBytes, AlertBookBounds.ResolveMaxBytes);
            }

            await ledger.InitializeAsync(cancellationToken);
            await touches.InitializeAsync(cancellationToken);
            await journal.InitializeAsync(cancellationToken);
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement:Storage:MaxGrainStateBytes is {MaxGrainStateCharacters} stored characters, below the {EveryCapAtOnceCharacters} a member with Engagement:Campaigns:MaxAttributedOrders {MaxAttributedOrders}, MaxMembershipsKept {MaxMembershipsKept}, every other per-member cap full at its default, its outbox at its bound and the ids it keeps as keys at their worst may take: such a member's writes will be refused and its events dead-lettered")]
    private static partial void LogBoundBelowEveryCap(ILogger logger, int maxGrainStateCharacters, long everyCapAtOnceCharacters, int maxAttributedOrders, int maxMembershipsKept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement:Storage:MaxGrainStateBytes is {MaxGrainStateCharacters} stored characters, below the {AlertBookMaxCharacters} the programme's alert book may grow to (AlertBookBounds.ResolveMaxBytes): once it grows past the setting, its writes will be refused and alerts stop")]
    private static partial void LogBoundBelowAlertBook(ILogger logger, int maxGrainStateCharacters, int alertBookMaxCharacters);
}
