using System.Collections.Immutable;

namespace Engagement.Domain.Offers;

/// <summary>
/// Which stores of one region have one sku in stock (CONTRACT.md §2.1 "issued only where the member's store (or region)
/// has them"): the region's index for one sku, kept by the stores' inventory reports
/// (<c>PUT /stores/{storeId}/inventory?regionId=</c>). A goods-tied offer whose member's home store has none of its goods
/// is still issued when another store of the member's region has some (<see cref="Any"/>).
/// </summary>
public sealed record RegionStock
{
    /// <summary>Stores one region lists for one sku.</summary>
    public const int MaxStores = 20_000;

    /// <summary>Stores of the region with at least one unit, ordinal order.</summary>
    public ImmutableSortedSet<string> Stores { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>True when some store of the region has a unit.</summary>
    public bool Any => !Stores.IsEmpty;

    /// <summary>
    /// The index with <paramref name="storeId"/> in stock or not (idempotent: the same report again changes nothing, and
    /// returns this same instance); a store beyond <see cref="MaxStores"/> is not added (the region already has stock).
    /// </summary>
    public RegionStock Set(string storeId, bool inStock)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeId);
        if (inStock == Stores.Contains(storeId) || (inStock && Stores.Count >= MaxStores))
        {
            return this;
        }

        return this with { Stores = inStock ? Stores.Add(storeId) : Stores.Remove(storeId) };
    }
}
