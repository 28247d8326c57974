using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Offers;

/// <summary>A store's goods per sku (see <see cref="IStoreInventoryGrain"/>); the rules are <see cref="StoreInventory"/>'s.</summary>
public sealed class StoreInventoryGrain(
    [PersistentState("store-inventory", GrainStorageNames.State)] IPersistentState<OfferState<StoreInventory>> state,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time)
    : Grain, IStoreInventoryGrain
{
    public async Task<InventoryPutResult> PutAsync(IReadOnlyList<InventoryLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var (next, refusal) = state.State.Value.Put([.. lines.Select(l => (l.Sku, l.Available))], time.GetUtcNow());
        if (refusal is not null)
        {
            return new InventoryPutResult { Refusal = refusal };
        }

        await state.SaveAsync(next, this);
        return new InventoryPutResult { Inventory = View() };
    }

    public Task<InventoryView> GetAsync() => Task.FromResult(View());

    public Task<bool> HasAnyAsync(IReadOnlyList<string> skus) => Task.FromResult(state.State.Value.HasAny(skus));

    private InventoryView View() => new()
    {
        StoreId = this.GetPrimaryKeyString(),
        Items = [.. state.State.Value.Skus.Select(kv => new InventoryLine(kv.Key, kv.Value))],
        UpdatedAt = state.State.Value.UpdatedAt,
    };
}
