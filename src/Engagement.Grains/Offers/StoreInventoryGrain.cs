using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Offers;

/// <summary>
/// A store's goods per sku (see <see cref="IStoreInventoryGrain"/>); the rules are <see cref="StoreInventory"/>'s. A store
/// placed in a region mirrors whether it has each sku into that region's index (<see cref="RegionStockGrain"/>) after its
/// own write; a store that moves region leaves the old region's index. The mirror is idempotent: when it fails the PUT
/// fails, and the store system's retry repeats it.
/// </summary>
public sealed class StoreInventoryGrain(
    [PersistentState("store-inventory", GrainStorageNames.State)] IPersistentState<OfferState<StoreInventory>> state,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time)
    : Grain, IStoreInventoryGrain
{
    public async Task<InventoryPutResult> PutAsync(IReadOnlyList<InventoryLine> lines, string? regionId)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var before = state.State.Value;
        var now = time.GetUtcNow();
        var (next, refusal) = before.Put([.. lines.Select(l => (l.Sku, l.Available))], now);
        if (refusal is not null)
        {
            return new InventoryPutResult { Refusal = refusal };
        }

        next = next.InRegion(regionId, now);
        await state.SaveAsync(next, this);

        // A move (or a first placement) stays pending in the stored state until both indexes follow it, so a retry
        // after a failed mirror repeats the whole move, not only this report's skus.
        var store = this.GetPrimaryKeyString();
        var mirror = new List<Task>();
        var moving = next.IndexPending;
        if (moving && next.IndexedIn is { } was)
        {
            // Every sku the store ever listed: the old index may list any of them (clearing one it does not is a no-op).
            mirror.AddRange(next.Skus.Keys.Select(sku => Region(was, sku).SetAsync(store, false)));
        }

        if (moving && before.IndexPending && before.RegionId is { } between && between != next.RegionId && between != next.IndexedIn)
        {
            // Moved again while a move was pending: the region it was on its way to may already list it in part.
            mirror.AddRange(next.Skus.Keys.Select(sku => Region(between, sku).SetAsync(store, false)));
        }

        if (next.RegionId is { } region)
        {
            var skus = moving ? next.Skus.Keys : lines.Select(l => l.Sku);
            mirror.AddRange(skus.Select(sku => Region(region, sku).SetAsync(store, next.Skus.TryGetValue(sku, out var n) && n > 0)));
        }

        await Task.WhenAll(mirror);
        if (moving)
        {
            await state.SaveAsync(next.Indexed(), this);
        }

        return new InventoryPutResult { Inventory = View() };
    }

    public Task<InventoryView> GetAsync() => Task.FromResult(View());

    public Task<bool> HasAnyAsync(IReadOnlyList<string> skus) => Task.FromResult(state.State.Value.HasAny(skus));

    private IRegionStockGrain Region(string regionId, string sku) => GrainFactory.GetGrain<IRegionStockGrain>(OfferIds.RegionStockKey(regionId, sku));

    private InventoryView View() => new()
    {
        StoreId = this.GetPrimaryKeyString(),
        Items = [.. state.State.Value.Skus.Select(kv => new InventoryLine(kv.Key, kv.Value))],
        UpdatedAt = state.State.Value.UpdatedAt,
        ChangedAt = state.State.Value.ChangedAt,
        RegionId = state.State.Value.RegionId,
    };
}

/// <summary>Which stores of a region have one sku (see <see cref="IRegionStockGrain"/>); the rules are <see cref="RegionStock"/>'s.</summary>
public sealed class RegionStockGrain(
    [PersistentState("region-stock", GrainStorageNames.State)] IPersistentState<OfferState<RegionStock>> state)
    : Grain, IRegionStockGrain
{
    public async Task SetAsync(string storeId, bool inStock)
    {
        var next = state.State.Value.Set(storeId, inStock);
        if (!ReferenceEquals(next, state.State.Value))
        {
            await state.SaveAsync(next, this);
        }
    }

    public Task<bool> AnyAsync() => Task.FromResult(state.State.Value.Any);

    public Task<IReadOnlyList<string>> StoresAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Value.Stores]);
}
