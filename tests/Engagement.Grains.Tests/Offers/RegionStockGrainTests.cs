using Engagement.Contracts.Offers;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Offers;

/// <summary>A store's inventory reports keep its region's per-sku index (CONTRACT.md §2.1 "the member's store (or region)").</summary>
[Collection(MemberClusterCollection.Name)]
public sealed class RegionStockGrainTests(MemberClusterFixture cluster)
{
    private async Task<IReadOnlyList<string>> StoresAsync(string region, string sku) =>
        await cluster.Client.GetGrain<IRegionStockGrain>(OfferIds.RegionStockKey(region, sku)).StoresAsync();

    [Fact]
    public async Task TheRegionIndexFollowsTheStoresStockAndAStoreThatMovesLeavesItsOldRegion()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (north, south, store, other) = ("north-" + id, "south-" + id, "S-" + id, "T-" + id);
        var inventory = cluster.Client.GetGrain<IStoreInventoryGrain>(store);

        await inventory.PutAsync([new("SKU-A", 2), new("SKU-B", 0)], north);
        await cluster.Client.GetGrain<IStoreInventoryGrain>(other).PutAsync([new("SKU-A", 1)], north);
        Assert.Equal([store, other], await StoresAsync(north, "SKU-A"));
        Assert.Empty(await StoresAsync(north, "SKU-B"));

        // A report without regionId keeps the region; the last unit gone takes the store out of the index.
        var sold = await inventory.PutAsync([new("SKU-A", 0), new("SKU-B", 4)], null);
        Assert.Equal(north, sold.Inventory!.RegionId);
        Assert.Equal([other], await StoresAsync(north, "SKU-A"));
        Assert.Equal([store], await StoresAsync(north, "SKU-B"));

        // Moving region: the old region forgets the store, the new one learns every sku it has.
        await inventory.PutAsync([new("SKU-C", 1)], south);
        Assert.Empty(await StoresAsync(north, "SKU-B"));
        Assert.Equal([store], await StoresAsync(south, "SKU-B"));
        Assert.Equal([store], await StoresAsync(south, "SKU-C"));
        Assert.Empty(await StoresAsync(south, "SKU-A"));
        Assert.True(await cluster.Client.GetGrain<IRegionStockGrain>(OfferIds.RegionStockKey(south, "SKU-C")).AnyAsync());
    }

    [Fact]
    public async Task AMoveWhoseOldRegionCouldNotBeClearedIsCompletedByTheNextReportEvenOneMovingTheStoreOn()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (east, west, store) = ("east-" + id, "west-" + id, "S-" + id);
        var inventory = cluster.Client.GetGrain<IStoreInventoryGrain>(store);
        await inventory.PutAsync([new("SKU-1", 5)], east);
        Assert.Equal([store], await StoresAsync(east, "SKU-1"));

        // The store's own write succeeds, clearing it from east's index fails: the PUT fails and the store system retries.
        var eastKey = OfferIds.RegionStockKey(east, "SKU-1");
        cluster.Faults.Fail(eastKey, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => inventory.PutAsync([new("SKU-1", 5)], west));
        cluster.Faults.Heal(eastKey);
        Assert.Equal(west, (await inventory.GetAsync()).RegionId);

        Assert.Equal([store], await StoresAsync(west, "SKU-1")); // the half-done move already listed it in west

        // The store system's next report moves it on to north before the move to west was ever completed.
        var north = "north-" + id;
        await inventory.PutAsync([new("SKU-1", 5)], north);

        Assert.Empty(await StoresAsync(east, "SKU-1"));
        Assert.Empty(await StoresAsync(west, "SKU-1"));
        Assert.Equal([store], await StoresAsync(north, "SKU-1"));
    }
}
