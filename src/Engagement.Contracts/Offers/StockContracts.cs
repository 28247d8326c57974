using Orleans.Concurrency;

namespace Engagement.Contracts.Offers;

/// <summary>
/// Stock of one reward at one store (key <see cref="OfferIds.StockKey"/>). One activation serialises every take, so
/// concurrent redemptions never oversell; each take is written before it is answered and is idempotent by redemptionId.
/// </summary>
public interface IRewardStockGrain : IGrainWithStringKey
{
    /// <summary>Sets the units free to take (units held by unanswered redemptions stay held).</summary>
    Task<StockView> SetAvailableAsync(long available);

    /// <summary>Takes one unit for <paramref name="redemptionId"/> (held until confirmed or released).</summary>
    Task<StockTakeResult> TakeAsync(string redemptionId, string memberId);

    /// <summary>
    /// The member side accepted the redemption: its unit is spent; when its hold was released meanwhile, a free unit in
    /// its place (<c>reclaimed</c>), else <c>lost</c> (nothing spent: the caller undoes the payment).
    /// </summary>
    Task<StockConfirmResult> ConfirmAsync(string redemptionId);

    /// <summary>The member side refused the redemption: its unit is free again.</summary>
    Task<StockView> ReleaseAsync(string redemptionId);

    [ReadOnly]
    Task<StockView> GetAsync();

    /// <summary>
    /// Settles the units held longer than <c>Engagement:Offers:StockHoldMinutes</c> by redemptions that never confirmed
    /// or released them: confirmed when the member side accepted the redemption, else released. The counter runs it
    /// itself (a reminder while any unit is held); returns how many it settled.
    /// </summary>
    Task<int> SettleStaleHoldsAsync();
}

/// <summary>Stock of a reward at a store: units free, held by unanswered redemptions, redeemed all time.</summary>
[GenerateSerializer, Immutable, Alias("engagement.stock-view.v1")]
public sealed record StockView
{
    [Id(0)] public string RewardId { get; init; } = "";

    [Id(1)] public string StoreId { get; init; } = "";

    [Id(2)] public long Available { get; init; }

    [Id(3)] public long Held { get; init; }

    [Id(4)] public long Redeemed { get; init; }

    /// <summary>When a stock write last changed <see cref="Available"/> (UTC), or null when none has; names the write in the audit.</summary>
    [Id(5)] public DateTimeOffset? SetAt { get; init; }
}

/// <summary>
/// What a take did: <c>taken</c>, <c>replayed</c> (this redemption had it), <c>released_before</c>, <c>out_of_stock</c>,
/// <c>other_member</c> (the id names another member's redemption at this store: nothing taken), <c>forgotten</c> (the id
/// was settled so long ago that only its fingerprint is kept: nothing taken).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.stock-take-result.v1")]
public sealed record StockTakeResult
{
    public const string Taken = "taken";
    public const string Replayed = "replayed";
    public const string ReleasedBefore = "released_before";
    public const string OutOfStock = "out_of_stock";
    public const string OtherMember = "other_member";
    public const string Forgotten = "forgotten";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public required StockView Stock { get; init; }

    public bool HasUnit => Status is Taken or Replayed;
}

/// <summary>
/// What a confirm did: <c>confirmed</c>, <c>already_confirmed</c>, <c>reclaimed</c> (its hold had been released; a free
/// unit was spent instead), <c>lost</c> (released and none free: nothing spent), <c>unknown</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.stock-confirm-result.v1")]
public sealed record StockConfirmResult
{
    public const string Confirmed = "confirmed";
    public const string AlreadyConfirmed = "already_confirmed";
    public const string Reclaimed = "reclaimed";
    public const string Lost = "lost";
    public const string Unknown = "unknown";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public required StockView Stock { get; init; }
}

/// <summary>Goods in stock at one store per sku (key storeId), from <c>PUT /stores/{storeId}/inventory</c>.</summary>
public interface IStoreInventoryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sets the counts of the skus named; others stay. Refused when the store would list more than 2,000 skus (StoreInventory.MaxSkus).
    /// <paramref name="regionId"/> (null: unchanged) places the store in a region: the region's index
    /// (<see cref="IRegionStockGrain"/>) then follows the store's stock.
    /// </summary>
    Task<InventoryPutResult> PutAsync(IReadOnlyList<InventoryLine> lines, string? regionId);

    [ReadOnly]
    Task<InventoryView> GetAsync();

    /// <summary>True when any of <paramref name="skus"/> has a unit: whether a goods-tied offer may be issued here.</summary>
    [ReadOnly]
    Task<bool> HasAnyAsync(IReadOnlyList<string> skus);
}

/// <summary>
/// Which stores of a region have one sku in stock (key: the region id escaped, <c>|</c>, the sku; <see cref="OfferIds.RegionStockKey"/>),
/// kept by the stores' inventory grains: a goods-tied offer whose member's home store has none is issued when another
/// store of the member's region has some (CONTRACT.md §2.1).
/// </summary>
public interface IRegionStockGrain : IGrainWithStringKey
{
    /// <summary>Records whether <paramref name="storeId"/> has a unit (idempotent).</summary>
    Task SetAsync(string storeId, bool inStock);

    /// <summary>True when some store of the region has a unit.</summary>
    [ReadOnly]
    Task<bool> AnyAsync();

    /// <summary>The stores of the region with a unit, ordinal order.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> StoresAsync();
}

/// <summary>One sku's units available at a store.</summary>
[GenerateSerializer, Immutable, Alias("engagement.inventory-line.v1")]
public sealed record InventoryLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] long Available);

/// <summary>A store's inventory.</summary>
[GenerateSerializer, Immutable, Alias("engagement.inventory-view.v1")]
public sealed record InventoryView
{
    [Id(0)] public string StoreId { get; init; } = "";

    [Id(1)] public IReadOnlyList<InventoryLine> Items { get; init; } = [];

    [Id(2)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The store's region (its last report's <c>regionId</c>), or null.</summary>
    [Id(3)] public string? RegionId { get; init; }

    /// <summary>When a report last changed a count or the region (<see cref="UpdatedAt"/>: last reported), or null; names that report in the audit.</summary>
    [Id(4)] public DateTimeOffset? ChangedAt { get; init; }
}

/// <summary>What an inventory write did: the inventory, or why it was refused.</summary>
[GenerateSerializer, Immutable, Alias("engagement.inventory-put-result.v1")]
public sealed record InventoryPutResult
{
    [Id(0)] public InventoryView? Inventory { get; init; }

    [Id(1)] public string? Refusal { get; init; }
}
