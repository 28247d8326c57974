using Engagement.Api.Members;
using Engagement.Api.Problems;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Offers;

/// <summary>
/// A catalogue redemption at a store (CONTRACT.md §2.1): the reward must exist and be active, the points + cash must be
/// one of its payment options, the member's tier eligible; then one unit of the store's stock is taken (409
/// "out of stock" naming reward and store when none is left), the member pays (<see cref="IRewardPointsSide"/>), and the
/// unit is confirmed, or released when the member side refuses (unless the unit is an earlier accepted request's with the
/// same id). Idempotent by redemptionId on both sides: a retry
/// after a crash between the steps finishes the same redemption.
/// </summary>
/// <remarks>Points are valued at the engine clock's now (<see cref="Hosting.EngineClock"/>), as the member endpoint does.</remarks>
public sealed partial class CatalogueRedemptions(IGrainFactory grains, IRewardPointsSide points, IServiceProvider services, ILogger<CatalogueRedemptions> logger)
{
    public async Task<IResult> RedeemAsync(string rewardId, CatalogueRedemptionRequest? request)
    {
        if (Validate(rewardId, request) is { } invalid)
        {
            return invalid;
        }

        var cash = request!.CashAmount ?? 0m;
        var catalogue = grains.GetGrain<IRewardCatalogueGrain>(0);
        if (await catalogue.GetAsync(rewardId) is not { } item)
        {
            return CatalogueEndpoints.RewardNotFound(rewardId);
        }

        // A retry of a redemption the member already accepted at this store goes on to its replay (CONTRACT.md §4,
        // idempotent by redemptionId): the reward withdrawn, repriced or the tier lowered since must not refuse it.
        var (member, refused) = await CheckAsync(grains, request.MemberId!, request.RedemptionId!, rewardId, request.StoreId!, request.Points, cash);
        if (refused is not null || member is null)
        {
            return refused ?? MemberEndpoints.MemberNotFound(request.MemberId!);
        }

        var stock = grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, request.StoreId!));
        var take = await stock.TakeAsync(request.RedemptionId!, request.MemberId!);
        if (take.Status == StockTakeResult.OutOfStock)
        {
            return OfferProblems.Conflict("Out of stock", $"Reward '{rewardId}' is out of stock at store '{request.StoreId}'.", "out_of_stock",
                new Dictionary<string, object?> { ["rewardId"] = rewardId, ["storeId"] = request.StoreId });
        }

        if (take.Status == StockTakeResult.OtherMember)
        {
            // The member is not charged: the unit is the other member's redemption's, not this one's.
            return OfferProblems.Conflict("Redemption id already used", $"Redemption '{request.RedemptionId}' at store '{request.StoreId}' is another member's; send a new redemptionId.", "invalid",
                new Dictionary<string, object?> { ["field"] = "redemptionId" });
        }

        if (take.Status == StockTakeResult.Forgotten)
        {
            // Its first outcome is not known any more: answering a replay could charge a member without a unit, taking
            // again would sell a second unit for one redemption.
            return OfferProblems.Conflict("Redemption id too old", $"Redemption '{request.RedemptionId}' at store '{request.StoreId}' was settled long ago and is no longer remembered; send a new redemptionId.", "invalid",
                new Dictionary<string, object?> { ["field"] = "redemptionId" });
        }

        if (take.Status == StockTakeResult.ReleasedBefore
            && await grains.GetGrain<IMemberGrain>(request.MemberId!).HasAcceptedRedemptionAsync(request.RedemptionId!, rewardId, request.StoreId!))
        {
            // The member paid for a unit that was released since (settled as stale under a retry, and the request that
            // found it died before giving the points back): they are given back now, once (idempotent by this id).
            var balance = request.Points > 0 ? await GiveBackAsync(request, rewardId, "its unit was released before it was confirmed") : member.PointsBalance;
            return OfferProblems.Conflict("Out of stock", $"Redemption '{request.RedemptionId}' lost its held unit of '{rewardId}' at store '{request.StoreId}'; its points were given back.", "out_of_stock",
                new Dictionary<string, object?> { ["rewardId"] = rewardId, ["storeId"] = request.StoreId, ["pointsBalance"] = balance, ["stock"] = take.Stock });
        }

        if (take.Status == StockTakeResult.ReleasedBefore)
        {
            return OfferProblems.Conflict("Redemption refused before", $"Redemption '{request.RedemptionId}' was refused and its unit released; send a new redemptionId.", "released_before");
        }

        var pointValue = await grains.GetGrain<IPointValueGrain>(0).ValueAtAsync(Hosting.EngineClock.Of(services).GetUtcNow());
        var paid = await points.PayAsync(request.MemberId!, new RedemptionRequest { RedemptionId = request.RedemptionId!, Points = request.Points, CashAmount = request.CashAmount, RewardId = rewardId, StoreId = request.StoreId }, pointValue);
        if (!paid.Accepted)
        {
            // Only a unit no accepted redemption paid for is given back: on a replayed take the unit may be the earlier
            // accepted request's (a retry with another payment is refused as invalid), and releasing it would sell it twice.
            var released = take.Status == StockTakeResult.Taken
                || !await grains.GetGrain<IMemberGrain>(request.MemberId!).HasAcceptedRedemptionAsync(request.RedemptionId!, rewardId, request.StoreId!)
                ? await stock.ReleaseAsync(request.RedemptionId!)
                : take.Stock;
            LogRefused(logger, request.RedemptionId!, request.MemberId!, rewardId, request.StoreId!, paid.Status);
            var title = paid.Status switch
            {
                RedemptionStatus.NegativeBalance => "Points balance is negative",
                RedemptionStatus.InsufficientPoints => "Not enough points",
                _ => "Redemption refused",
            };
            var extensions = new Dictionary<string, object?> { ["pointsBalance"] = paid.PointsBalance, ["stock"] = released };
            if (paid.Field is { } field)
            {
                // The id was already used for another request (another reward or store): named as the member path names it.
                extensions["field"] = field;
            }

            return OfferProblems.Conflict(title, paid.Detail ?? paid.Status, paid.Status, extensions);
        }

        var confirmed = await stock.ConfirmAsync(request.RedemptionId!);
        if (confirmed.Status == StockConfirmResult.Lost)
        {
            // The hold was settled as stale (released) between a replayed take and the payment, and no unit is left:
            // the member is never charged for a unit there is not, so the points go back (idempotent by this id).
            var undone = request.Points > 0 ? await GiveBackAsync(request, rewardId, "its unit was released and none is left") : paid.PointsBalance;
            return OfferProblems.Conflict("Out of stock", $"Reward '{rewardId}' is out of stock at store '{request.StoreId}': redemption '{request.RedemptionId}' lost its held unit and its points were given back.", "out_of_stock",
                new Dictionary<string, object?> { ["rewardId"] = rewardId, ["storeId"] = request.StoreId, ["pointsBalance"] = undone, ["stock"] = confirmed.Stock });
        }

        return Results.Ok(new CatalogueRedemptionResponse
        {
            RedemptionId = request.RedemptionId!,
            RewardId = rewardId,
            StoreId = request.StoreId!,
            MemberId = request.MemberId!,
            Points = request.Points,
            CashAmount = cash,
            PointValue = pointValue,
            PointsValue = decimal.Round(request.Points * pointValue, 2, MidpointRounding.ToZero),
            MarketPrice = item.MarketPrice,
            PointsBalance = paid.PointsBalance,
            Replayed = paid.Replayed,
            Stock = confirmed.Stock,
        });
    }

    /// <summary>
    /// The member's view and the refusal of a redemption of <paramref name="rewardId"/> (<paramref name="points"/>
    /// points + <paramref name="cash"/> CNY; <paramref name="storeId"/> null for a store-less one), null when it may go
    /// ahead: a 404 for an unknown member, else the catalogue's <see cref="Refusal"/> for the member's tier. The catalogue
    /// answers first; only a refusal (or an unknown member) asks the member whether this redemptionId is one it already
    /// accepted (then it goes on, to its replay), and its "not paid" was read from storage again (a silo handover's stale
    /// copy), so the view is fetched again, now storage's state at no further read, and the refusal given only if it
    /// still stands on it (docs/scaling.md "What the logs show on a rolling stop"). A first-time redemption the catalogue approves
    /// costs no such read. The view is non-null whenever the refusal is null.
    /// </summary>
    internal static async Task<(MemberView? View, IResult? Refused)> CheckAsync(
        IGrainFactory grains, string memberId, string redemptionId, string rewardId, string? storeId, long points, decimal cash)
    {
        var member = grains.GetGrain<IMemberGrain>(memberId);
        var view = await member.GetViewAsync();
        if (await RefuseAsync(view) is null)
        {
            return (view, null);
        }

        var accepted = await member.HasAcceptedRedemptionAsync(redemptionId, rewardId, storeId);
        view = await member.GetViewAsync();
        return (view, accepted ? null : await RefuseAsync(view));

        async Task<IResult?> RefuseAsync(MemberView? of) => of is null
            ? MemberEndpoints.MemberNotFound(memberId)
            : Refusal(rewardId, await grains.GetGrain<IRewardCatalogueGrain>(0).QuoteAsync(rewardId, points, cash, of.Tier));
    }

    /// <summary>
    /// The answer to a reward's quote (<see cref="IRewardCatalogueGrain.QuoteAsync"/>: the catalogue's rule that the reward
    /// exists and is active, that points + cashAmount (CNY) are one of its payment options and that the member's tier is
    /// eligible; CONTRACT.md §2.1): null when the redemption may go ahead; else 404 naming <c>rewardId</c> (no such
    /// reward), 400 naming <c>points</c> (not one of its options), 409 <c>reward_withdrawn</c> or 409
    /// <c>tier_not_eligible</c>. Used by this catalogue redemption and by the store-less member redemption naming a reward
    /// (<c>POST /members/{memberId}/redemptions</c>), so both refuse the same requests the same way.
    /// </summary>
    internal static IResult? Refusal(string rewardId, RewardQuote quote) => quote.Status switch
    {
        RewardQuote.NotFound => CatalogueEndpoints.RewardNotFound(rewardId),
        RewardQuote.PaymentNotOffered => FieldErrors.Problem("points", quote.Detail),
        RewardQuote.Withdrawn => OfferProblems.Conflict("Reward withdrawn", quote.Detail, quote.Status),
        RewardQuote.TierNotEligible => OfferProblems.Conflict("Tier not eligible", quote.Detail, quote.Status),
        _ => null,
    };

    /// <summary>
    /// Gives a paid redemption's points back (adjustment <c>redemption-undo:{redemptionId}</c>, so once however often it
    /// is asked); returns the member's balance after it.
    /// </summary>
    private async Task<long> GiveBackAsync(CatalogueRedemptionRequest request, string rewardId, string why) =>
        (await grains.GetGrain<IMemberGrain>(request.MemberId!).AdjustAsync(new AdjustmentRequest
        {
            AdjustmentId = AdjustmentPolicy.RedemptionUndoPrefix + request.RedemptionId,
            Kind = "points",
            Delta = request.Points,
            Reason = $"redemption {request.RedemptionId} undone: {why} ({rewardId} at {request.StoreId})",
        })).BalanceAfter;

    private static IResult? Validate(string rewardId, CatalogueRedemptionRequest? request)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferIds.Rule);
        }

        if (request is null)
        {
            errors.Add("body", "a JSON object {redemptionId, memberId, storeId, points, cashAmount?} is required");
            return errors.ToProblem();
        }

        if (!RequestIds.IsValid(request.RedemptionId))
        {
            errors.Add("redemptionId", RequestIds.Rule);
        }

        if (!MemberIds.IsValid(request.MemberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (!OfferIds.IsValid(request.StoreId))
        {
            errors.Add("storeId", OfferIds.Rule);
        }

        if (request.Points is < 0 or > RewardItem.MaxPoints)
        {
            errors.Add("points", MemberEndpoints.PointsRange(atStore: true));
        }

        if (request.CashAmount is { } cash && (cash < 0 || cash > RewardItem.MaxCash || decimal.Round(cash, 2) != cash))
        {
            errors.Add("cashAmount", "must be CNY 0–1,000,000 with at most 2 decimals");
        }

        return errors.Any ? errors.ToProblem() : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redemption {RedemptionId} of {MemberId} for {RewardId} at {StoreId} refused by the member side ({Status}); its unit was released")]
    private static partial void LogRefused(ILogger logger, string redemptionId, string memberId, string rewardId, string storeId, string status);
}

/// <summary>A catalogue redemption: <c>{redemptionId, memberId, storeId, points, cashAmount?}</c> (points + CNY, one of the reward's options).</summary>
public sealed record CatalogueRedemptionRequest
{
    public string? RedemptionId { get; init; }

    public string? MemberId { get; init; }

    public string? StoreId { get; init; }

    public long Points { get; init; }

    public decimal? CashAmount { get; init; }
}

/// <summary>An accepted catalogue redemption: what was paid (points, CNY), at which point value, the balance after, the store's stock after.</summary>
public sealed record CatalogueRedemptionResponse
{
    /// <summary><c>accepted</c>, as a member redemption's answer says (CONTRACT.md §4): a refusal is a problem, never a 200.</summary>
    public string Status { get; init; } = "accepted";

    public required string RedemptionId { get; init; }

    public required string RewardId { get; init; }

    public required string StoreId { get; init; }

    public required string MemberId { get; init; }

    public long Points { get; init; }

    public decimal CashAmount { get; init; }

    /// <summary>CNY per point in force at the redemption (<c>GET /programme/point-value</c>).</summary>
    public decimal PointValue { get; init; }

    /// <summary>The points' worth in CNY at <see cref="PointValue"/>, rounded down to the fen.</summary>
    public decimal PointsValue { get; init; }

    public decimal MarketPrice { get; init; }

    public long PointsBalance { get; init; }

    public bool Replayed { get; init; }

    public required StockView Stock { get; init; }
}
