using Orleans.Concurrency;

namespace Engagement.Contracts.Offers;

/// <summary>
/// The HQ reward catalogue (a singleton, key 0; CONTRACT.md §2.1, <c>GET/PUT /catalogue</c>). Bounded to
/// <see cref="MaxItems"/> items. Stock is not here: it is per reward × store in <see cref="IRewardStockGrain"/>.
/// </summary>
public interface IRewardCatalogueGrain : IGrainWithIntegerKey
{
    const int MaxItems = 2_000;

    /// <summary>Creates or replaces one item (its tiers checked against the programme's); refused with the fields named when invalid or when the catalogue is full.</summary>
    Task<CataloguePutResult> PutAsync(RewardItemDto item);

    /// <summary>One item, or null.</summary>
    [ReadOnly]
    Task<RewardItemDto?> GetAsync(string rewardId);

    /// <summary>
    /// Whether a member of <paramref name="tier"/> may redeem <paramref name="rewardId"/> paying <paramref name="points"/>
    /// + <paramref name="cash"/> CNY: the item exists, is active, the payment is one of its options, the tier is eligible.
    /// </summary>
    [ReadOnly]
    Task<RewardQuote> QuoteAsync(string rewardId, long points, decimal cash, string? tier);

    /// <summary>Every item, by rewardId.</summary>
    [ReadOnly]
    Task<IReadOnlyList<RewardItemDto>> ListAsync();
}

/// <summary>A catalogue item on the wire: CNY amounts with 2 decimals, points as integers.</summary>
[GenerateSerializer, Immutable, Alias("engagement.reward-item.v1")]
public sealed record RewardItemDto
{
    [Id(0)] public string RewardId { get; init; } = "";

    [Id(1)] public string Name { get; init; } = "";

    /// <summary>Reference market price, CNY: the value anchor shown to members.</summary>
    [Id(2)] public decimal MarketPrice { get; init; }

    /// <summary>Price in points alone.</summary>
    [Id(3)] public long PointsPrice { get; init; }

    /// <summary>Points + cash alternatives (e.g. 20,000 points + 100 CNY).</summary>
    [Id(4)] public IReadOnlyList<PointsCashStepDto> Steps { get; init; } = [];

    /// <summary>Tiers that may redeem it; empty = all.</summary>
    [Id(5)] public IReadOnlyList<string> EligibleTiers { get; init; } = [];

    [Id(6)] public string? Sku { get; init; }

    [Id(7)] public bool Active { get; init; } = true;

    [Id(8)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Points and cash (CNY) of one way to pay.</summary>
[GenerateSerializer, Immutable, Alias("engagement.points-cash-step.v1")]
public sealed record PointsCashStepDto(
    [property: Id(0)] long Points,
    [property: Id(1)] decimal Cash);

/// <summary>What a catalogue write did: <c>created</c>, <c>updated</c> or <c>invalid</c> (with the fields).</summary>
[GenerateSerializer, Immutable, Alias("engagement.catalogue-put-result.v1")]
public sealed record CataloguePutResult
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Invalid = "invalid";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public RewardItemDto? Item { get; init; }

    [Id(2)] public IReadOnlyList<OfferFieldError> Errors { get; init; } = [];
}

/// <summary>
/// Whether a redemption may go ahead: <c>ok</c>, <c>not_found</c>, <c>reward_withdrawn</c>, <c>payment_not_offered</c>
/// (the detail lists the options), <c>tier_not_eligible</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.reward-quote.v1")]
public sealed record RewardQuote
{
    public const string Ok = "ok";
    public const string NotFound = "not_found";
    public const string Withdrawn = "reward_withdrawn";
    public const string PaymentNotOffered = "payment_not_offered";
    public const string TierNotEligible = "tier_not_eligible";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public string Detail { get; init; } = "";

    [Id(2)] public RewardItemDto? Item { get; init; }
}
