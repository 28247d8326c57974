using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The member cluster shape plus the campaign engine: in-memory member index (16 shards, pages of 50 to exercise
/// paging), 5% global control, and the same fake engine clock. Tests isolate themselves by a region of their own.
/// </summary>
public class CampaignClusterFixture : IAsyncLifetime
{
    public const int GlobalControlPercent = 5;

    /// <summary>CNY per USD (<c>Engagement:Program:Currencies:USD:Rate</c>): events may be priced in USD.</summary>
    public const decimal UsdRate = 7.1m;

    private InProcessTestCluster? _cluster;

    public FakeTimeProvider Time { get; } = new(MemberClusterFixture.Start);

    public InMemoryTouchOutbox Outbox { get; } = new();

    /// <summary>Closes the member index on one page while a test acts (the index is in memory behind it).</summary>
    public IndexGate IndexGate { get; } = new();

    /// <summary>Member index upserts that time out, per member; none unless a test adds its own.</summary>
    public IndexTimeouts IndexTimeouts { get; } = new();

    /// <summary>The coupon code directory, failing registrations on demand.</summary>
    public FlakyCouponDirectory CouponDirectory { get; } = new(new InMemoryCouponCodeDirectory());

    /// <summary>The ledger archive, failing appends for chosen members (a member's outbox then backs up).</summary>
    public FlakyLedgerArchive Ledger { get; } = new(new InMemoryLedgerArchive());

    /// <summary>The poison queue.</summary>
    public InMemoryDeadLetterSink DeadLetters { get; } = new();

    /// <summary>Injected storage and reminder outages per grain; off unless a test turns them on for its own member.</summary>
    public StorageFaults Faults { get; } = new();

    /// <summary>Grant requests whose answers are lost after the campaign ran them; off unless a test arms it for its own member.</summary>
    public LostReplies LostReplies { get; } = new();

    /// <summary>Members refusing campaign deliveries as backed up; none unless a test arms its own.</summary>
    public BackedUpDeliveries BackedUpDeliveries { get; } = new();

    /// <summary>Every log line of the silo.</summary>
    public SiloLog Logs { get; } = new();

    /// <summary>Stock look-ups of chosen stores that throw or never answer; off unless a test arms it for a store of its own.</summary>
    public StockCallFaults StockCalls { get; } = new();

    public IClusterClient Client => _cluster?.Client ?? throw new InvalidOperationException("cluster not started");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engagement:Campaigns:GlobalControlPercent"] = GlobalControlPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Engagement:Campaigns:IndexShardCount"] = "16",
            ["Engagement:Campaigns:FanOutPageSize"] = "50",
            ["Engagement:Offers:CouponSecret"] = "campaign-cluster-coupon-secret-0123456789",
            ["Engagement:Program:Currencies:USD:Rate"] = UsdRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).AddInMemoryCollection(Settings).Build();

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
            silo.AddMemoryGrainStorage(GrainStorageNames.PubSub);
            silo.UseInMemoryReminderService();
            silo.AddFaultyEngagementStorage(Faults);
            silo.AddOutgoingGrainCallFilter(LostReplies.FilterAsync);
            silo.AddOutgoingGrainCallFilter(StockCalls.FilterAsync);
            silo.AddOutgoingGrainCallFilter(BackedUpDeliveries.FilterAsync);
            silo.AddMemoryStreams(StreamNames.Provider);
            silo.AddEngagementGrains(configuration);
            silo.Services.AddSingleton<IMemberIndex>(sp => new GatedMemberIndex(new TimingOutMemberIndex(ActivatorUtilities.CreateInstance<InMemoryMemberIndex>(sp), IndexTimeouts, sp.GetRequiredService<IGrainContextAccessor>()), IndexGate));
            silo.AddEngagementCampaigns(configuration);
            silo.Services.AddSingleton<ICouponCodeDirectory>(CouponDirectory);
            silo.AddEngagementOffers(configuration);
            silo.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, Time);
            silo.Services.AddSingleton<ILedgerArchive>(Ledger);
            silo.Services.AddSingleton<ITouchOutbox>(Outbox);
            silo.Services.AddSingleton<ILifecycleJournal>(new InMemoryLifecycleJournal());
            silo.Services.AddSingleton<IDeadLetterSink>(DeadLetters);
            ConfigureSilo(silo);
        });
        builder.ConfigureClient(client => client.Services.AddEngagementDomainSerialization());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>What a fixture of its own changes in the silo, after the shared registrations.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>Settings a fixture of its own adds over the shared ones.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <remarks>
/// Not parallel with other collections: these tests create thousands of members, and process-wide member metrics
/// (reminder registrations) that other tests measure must not see them.
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CampaignClusterCollection : ICollectionFixture<CampaignClusterFixture>
{
    public const string Name = "campaign cluster";
}

/// <summary>
/// The campaign cluster with small campaign memories, so a test meets their bounds with tens of members:
/// <see cref="ReportDedupeCapacity"/> report ids, <see cref="MaxPendingGrants"/> pending grants, and members that hold
/// at most <see cref="MaxMembershipsKept"/> campaign memberships (a few campaigns reach the cap).
/// </summary>
public sealed class SmallCampaignMemoryFixture : CampaignClusterFixture
{
    public const int ReportDedupeCapacity = 16;

    public const int MaxPendingGrants = 8;

    public const int MaxMembershipsKept = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Engagement:Campaigns:ReportDedupeCapacity", ReportDedupeCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Engagement:Campaigns:MaxPendingGrants", MaxPendingGrants.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Engagement:Campaigns:MaxMembershipsKept", MaxMembershipsKept.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>Tests on <see cref="SmallCampaignMemoryFixture"/>; not parallel with other collections, as the campaign cluster.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SmallCampaignMemoryCollection : ICollectionFixture<SmallCampaignMemoryFixture>
{
    public const string Name = "campaign cluster, small memories";
}
