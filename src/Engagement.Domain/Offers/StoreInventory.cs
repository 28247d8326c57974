using System.Collections.Immutable;

namespace Engagement.Domain.Offers;

/// <summary>
/// Goods in stock at one store, per sku (CONTRACT.md §2.1, <c>PUT /stores/{storeId}/inventory</c>), as the store system
/// reports them: each report sets the counts of the skus it names and leaves the others. Goods-tied offers are issued
/// only where <see cref="HasAny"/> says so.
/// </summary>
public sealed record StoreInventory
{
    /// <summary>Skus one store may list.</summary>
    public const int MaxSkus = 20_000;

    /// <summary>Largest count of one sku.</summary>
    public const long MaxAvailable = 1_000_000_000;

    /// <summary>Sku → units available.</summary>
    public ImmutableSortedDictionary<string, long> Skus { get; init; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);

    /// <summary>The region the store belongs to, as its last report with <c>?regionId=</c> said (<see cref="RegionStock"/>); null: none.</summary>
    public string? RegionId { get; init; }

    /// <summary>When the store last reported, or null.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// When a report last changed a count or the region, or null: the instant that names that report in the staff audit,
    /// so a retry of it (which changes nothing) names the same one. <see cref="UpdatedAt"/> moves with every report.
    /// </summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>The inventory with these counts set, or the refusal when the store would list more than <see cref="MaxSkus"/> skus.</summary>
    public (StoreInventory Inventory, string? Refusal) Put(IReadOnlyList<(string Sku, long Available)> counts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var skus = Skus.ToBuilder();
        var changed = false;
        foreach (var (sku, available) in counts)
        {
            changed |= !Skus.TryGetValue(sku, out var was) || was != available;
            skus[sku] = available;
        }

        return skus.Count > MaxSkus
            ? (this, $"a store lists at most {MaxSkus} skus")
            : (this with { Skus = skus.ToImmutable(), UpdatedAt = now, ChangedAt = changed ? now : ChangedAt }, null);
    }

    /// <summary>The inventory placed in <paramref name="regionId"/> (null: where it was), changed at <paramref name="now"/> when that moves it.</summary>
    public StoreInventory InRegion(string? regionId, DateTimeOffset now) =>
        regionId is null || string.Equals(regionId, RegionId, StringComparison.Ordinal) ? this : this with { RegionId = regionId, ChangedAt = now };

    /// <summary>True when any of <paramref name="skus"/> has at least one unit.</summary>
    public bool HasAny(IEnumerable<string> skus) => skus.Any(s => Skus.TryGetValue(s, out var n) && n > 0);
}
