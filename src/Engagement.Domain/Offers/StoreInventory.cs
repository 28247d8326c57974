using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Offers;

/// <summary>
/// Goods in stock at one store, per sku (CONTRACT.md §2.1, <c>PUT /stores/{storeId}/inventory</c>), as the store system
/// reports them: each report sets the counts of the skus it names and leaves the others. Goods-tied offers are issued
/// only where <see cref="HasAny"/> says so.
/// </summary>
public sealed record StoreInventory
{
    /// <summary>
    /// Skus one store may list: 2,000 entries of a 64-character sku and a 10-digit count are ~160 KB of JSON, within
    /// the grain state bound (480 KiB) with room to spare; 20,000 would not fit, and every report would fail.
    /// </summary>
    public const int MaxSkus = 2_000;

    /// <summary>Largest count of one sku.</summary>
    public const long MaxAvailable = 1_000_000_000;

    /// <summary>Sku → units available.</summary>
    public ImmutableSortedDictionary<string, long> Skus { get; init; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);

    /// <summary>The region the store belongs to, as its last report with <c>?regionId=</c> said (<see cref="RegionStock"/>); null: none.</summary>
    public string? RegionId { get; init; }

    /// <summary>
    /// While a move between regions is not yet mirrored into the regions' indexes: the region whose index still lists
    /// the store (<c>""</c>: none, the store's first placement). Null once the index of <see cref="RegionId"/> is
    /// complete, which is every state stored before this was kept. A report retried after a failed mirror repeats the
    /// whole move from it (<see cref="IndexedIn"/>), so the old region's index is left even when the first attempt
    /// failed after the store's own write.
    /// </summary>
    public string? IndexedRegion { get; init; }

    /// <summary>The region whose index lists the store now (null: none): <see cref="IndexedRegion"/>, else <see cref="RegionId"/>.</summary>
    [JsonIgnore]
    public string? IndexedIn => IndexedRegion is null ? RegionId : IndexedRegion.Length == 0 ? null : IndexedRegion;

    /// <summary>True while the indexes have not followed the store's region (<see cref="IndexedRegion"/>).</summary>
    [JsonIgnore]
    public bool IndexPending => !string.Equals(IndexedIn, RegionId, StringComparison.Ordinal);

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

        // Only a put that adds skus past the bound is refused: a store an earlier version let list more can still
        // change its counts (set them to 0 among them), or its stock would freeze at the last counts it sent.
        return skus.Count > MaxSkus && skus.Count > Skus.Count
            ? (this, $"a store lists at most {MaxSkus} skus")
            : (this with { Skus = skus.ToImmutable(), UpdatedAt = now, ChangedAt = changed ? now : ChangedAt }, null);
    }

    /// <summary>
    /// The inventory placed in <paramref name="regionId"/> (null: where it was), changed at <paramref name="now"/> when
    /// that moves it; the indexes are then pending (<see cref="IndexedRegion"/>) until <see cref="Indexed"/>.
    /// </summary>
    public StoreInventory InRegion(string? regionId, DateTimeOffset now) =>
        regionId is null || string.Equals(regionId, RegionId, StringComparison.Ordinal)
            ? this
            : this with { RegionId = regionId, ChangedAt = now, IndexedRegion = IndexedIn ?? "" };

    /// <summary>The inventory once the indexes follow its region: the move is mirrored (this same one when none was pending).</summary>
    public StoreInventory Indexed() => IndexPending ? this with { IndexedRegion = null } : this;

    /// <summary>True when any of <paramref name="skus"/> has at least one unit.</summary>
    public bool HasAny(IEnumerable<string> skus) => skus.Any(s => Skus.TryGetValue(s, out var n) && n > 0);
}
