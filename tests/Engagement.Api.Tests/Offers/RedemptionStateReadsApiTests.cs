using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// What a redemption costs in member state reads, on Azurite's table: a member's "not paid" is read from storage again
/// before it is answered (a silo handover's stale copy must not answer it from memory), so the replay check before a
/// redemption naming a reward is asked only when the catalogue would refuse. A first-time redemption the catalogue
/// approves reads nothing beyond the member's activation; a refusal still has the member read storage again.
/// </summary>
[Collection(StateReadsHostCollection.Name)]
public sealed class RedemptionStateReadsApiTests(StateReadsHostFixture host)
{
    [Fact]
    public async Task AFirstTimeCatalogueRedemptionReadsTheMemberNoMoreThanItsActivationDid()
    {
        var rewardId = "R-RD-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5));
        var member = await ActiveBuyerAsync();
        var reads = host.Reads.Of(member);

        using var pos = host.Client(StoreKey);
        using var redeemed = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "pos-1", memberId = member, storeId = "S001", points = 3_000 }, Json);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.Equal(reads, host.Reads.Of(member));
    }

    [Fact]
    public async Task AFirstTimeStoreLessRedemptionNamingARewardReadsTheMemberNoMoreThanItsActivationDid()
    {
        var rewardId = "R-RD-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5));
        var member = await ActiveBuyerAsync();
        var reads = host.Reads.Of(member);

        using var admin = host.Client(AdminKey);
        using var redeemed = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "app-1", points = 3_000, rewardId }, Json);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.Equal(reads, host.Reads.Of(member));
    }

    [Fact]
    public async Task ARedemptionTheCatalogueRefusesHasTheMemberReadStorageAgainBeforeItIsRefused()
    {
        var rewardId = "R-RD-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Lounge", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = new[] { "V4" } }, ("S001", 5));
        var member = await ActiveBuyerAsync();
        var reads = host.Reads.Of(member);

        using var pos = host.Client(StoreKey);
        using var refused = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "pos-1", memberId = member, storeId = "S001", points = 3_000 }, Json);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("tier_not_eligible", (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(reads + 1, host.Reads.Of(member)); // the replay check's "not paid", read again before the refusal
    }

    /// <summary>A member who bought 10,000 CNY (20,000 points), active in the silo: its view shows the purchase.</summary>
    private async Task<string> ActiveBuyerAsync()
    {
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var support = host.Client(SupportKey);
        await Poll.UntilAsync(
            async () => await support.GetFromJsonAsync<JsonObject?>($"api/v1/members/{member}", Json),
            view => view["pointsBalance"]!.GetValue<long>() > 0);
        Assert.True(host.Reads.Of(member) > 0, "the member's activation read its state");
        return member;
    }
}

/// <summary>Member state reads per member id, counted in front of the silo's grain storage.</summary>
public sealed class StateReads
{
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    /// <summary>State reads of member <paramref name="memberId"/> so far (failed ones too).</summary>
    public int Of(string memberId) => _reads.TryGetValue(memberId, out var n) ? n : 0;

    internal void Read(GrainId grainId)
    {
        if (grainId.Type.ToString() == "member")
        {
            _reads.AddOrUpdate(grainId.Key.ToString()!, 1, (_, n) => n + 1);
        }
    }
}

/// <summary>The offers host with <see cref="StateReads"/> in front of its grain storage (Azurite's table behind it).</summary>
public sealed class StateReadsHostFixture : OffersHostFixture
{
    public StateReads Reads { get; } = new();

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, Engagement.Azure.Hosting.StorageNames.GrainState));
        var factory = original.KeyedImplementationFactory!;
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(original.ServiceKey, (sp, key) => new CountingStorage((IGrainStorage)factory(sp, key), Reads));
    }

    private sealed class CountingStorage(IGrainStorage inner, StateReads reads) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            reads.Read(grainId);
            return inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
    }
}

[CollectionDefinition(Name)]
public sealed class StateReadsHostCollection : ICollectionFixture<StateReadsHostFixture>
{
    public const string Name = "offers host, state reads counted";
}
