using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Campaigns;

/// <summary>
/// The silo the campaign tests on Azurite host: the engine's grain state, reminders, ledger, metrics and member index in
/// tables named after the test's suffix (its touch queue too), no global control group, the in-memory ports, and the
/// campaign row read back by the engine's own grain storage.
/// </summary>
internal static class CampaignAzuriteSilo
{
    /// <summary>The test's engine storage: tables gs, rem, ledger, metrics and the touch queue, named after <paramref name="suffix"/>.</summary>
    public static SiloStorage Storage(string suffix) => SiloStorage.Named(suffix);

    /// <summary>The test's campaign member index table.</summary>
    public static string MemberIndexTable(string suffix) => "idx" + suffix;

    /// <summary>A silo host (built, not started) on the test's tables, engine clock <paramref name="clock"/>; <paramref name="more"/> adds registrations last.</summary>
    public static IHost Build(string suffix, string serviceId, TimeProvider clock, Action<ISiloBuilder>? more = null)
    {
        var settings = Storage(suffix).Settings();
        settings["Engagement:Campaigns:MemberIndexTableName"] = MemberIndexTable(suffix);
        settings["Engagement:Campaigns:GlobalControlPercent"] = "0";
        return AzuriteSilo.Build(settings, serviceId, (silo, configuration) =>
        {
            silo.AddEngagementGrains(configuration);
            silo.AddEngagementAzureStorage(configuration);
            silo.AddEngagementInMemoryPorts();
            silo.AddEngagementCampaignStorage(configuration);
            more?.Invoke(silo);
        }, clock);
    }

    /// <summary>Deletes the test's tables and touch queue.</summary>
    public static Task DeleteAsync(string suffix) =>
        AzuriteSilo.DeleteAsync([.. Storage(suffix).Tables, MemberIndexTable(suffix)], Storage(suffix).TouchQueue);

    /// <summary>The campaign's row as the engine's grain storage reads it (state and ETag); fails the test when there is none.</summary>
    public static async Task<TestGrainState<CampaignGrainState>> ReadStoredAsync(IServiceProvider services, ICampaignGrain campaign)
    {
        var state = new TestGrainState<CampaignGrainState>(new CampaignGrainState());
        await services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState).ReadStateAsync("campaign", campaign.GetGrainId(), state);
        Assert.True(state.RecordExists);
        return state;
    }
}
