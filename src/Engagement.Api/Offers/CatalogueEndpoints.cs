using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Offers;

/// <summary>
/// The HQ reward catalogue and its stock per store (CONTRACT.md §2.1, §4): <c>GET /catalogue</c>,
/// <c>PUT /catalogue/{rewardId}</c> (admin), <c>PUT /catalogue/{rewardId}/stock</c> (store or admin), and the catalogue
/// redemption that takes a unit of stock (<see cref="CatalogueRedemptions"/>).
/// </summary>
public static class CatalogueEndpoints
{
    /// <summary>Stores one stock request may set.</summary>
    public const int MaxStockLines = 1000;

    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder routes)
    {
        var catalogue = routes.MapGroup("/api/v1/catalogue").WithTags("catalogue");
        catalogue.MapGet("", ListAsync).RequireAuthorization(ApiRoles.OffersReadPolicy)
            .WithSummary("The reward catalogue: market price, points price, points + cash steps, eligible tiers");
        catalogue.MapGet("/{rewardId}", GetAsync).RequireAuthorization(ApiRoles.OffersReadPolicy);
        catalogue.MapPut("/{rewardId}", PutAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Create or replace a reward (HQ)");
        catalogue.MapPut("/{rewardId}/stock", PutStockAsync).RequireAuthorization(ApiRoles.StorePolicy)
            .WithSummary("Set the units of a reward available per store: [{storeId, available}]");
        catalogue.MapGet("/{rewardId}/stock/{storeId}", GetStockAsync).RequireAuthorization(ApiRoles.OffersReadPolicy);
        catalogue.MapPost("/{rewardId}/redemptions", RedeemAsync).RequireAuthorization(ApiRoles.StorePolicy)
            .WithSummary("Redeem a reward at a store with points or points + cash; takes one unit of the store's stock; idempotent by redemptionId");
        return routes;
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains) =>
        Results.Ok(await grains.GetGrain<IRewardCatalogueGrain>(0).ListAsync());

    private static async Task<IResult> GetAsync(string rewardId, IGrainFactory grains)
    {
        if (!OfferIds.IsValid(rewardId))
        {
            return FieldErrors.Problem("rewardId", OfferIds.Rule);
        }

        var item = await grains.GetGrain<IRewardCatalogueGrain>(0).GetAsync(rewardId);
        return item is null ? RewardNotFound(rewardId) : Results.Ok(item);
    }

    private static async Task<IResult> PutAsync(string rewardId, [FromBody] RewardItemDto? item, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferIds.Rule);
        }

        if (item is null)
        {
            errors.Add("body", "a JSON object {name, marketPrice, pointsPrice, steps?, eligibleTiers?, sku?, active?} is required");
        }
        else
        {
            ValidateShape(rewardId, item, errors);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var result = await grains.GetGrain<IRewardCatalogueGrain>(0).PutAsync(item! with { RewardId = rewardId, Steps = item.Steps ?? [], EligibleTiers = item.EligibleTiers ?? [] });
        if (result.Status == CataloguePutResult.Invalid)
        {
            foreach (var error in result.Errors)
            {
                errors.Add(error.Field, error.Message);
            }

            return errors.ToProblem("The reward has invalid fields");
        }

        return result.Status == CataloguePutResult.Created
            ? Results.Created($"/api/v1/catalogue/{rewardId}", result.Item)
            : Results.Ok(result.Item);
    }

    /// <summary>
    /// What the JSON may hold that the reward's own rules (<c>RewardItem.Validate</c>) never see: a null rewardId (left
    /// out), more steps than a reward holds, null steps or tiers (each was a 500), a tier named twice (so the list is bounded by the programme's tiers),
    /// a sku outside the id rule of store inventory (it could never match a store's stock).
    /// </summary>
    private static void ValidateShape(string rewardId, RewardItemDto item, FieldErrors errors)
    {
        if (item.RewardId is { Length: > 0 } bodyId && !string.Equals(bodyId, rewardId, StringComparison.Ordinal))
        {
            errors.Add("rewardId", "must be the rewardId of the path, or left out");
        }

        var steps = item.Steps ?? [];
        if (steps.Count > RewardItem.MaxSteps)
        {
            errors.Add("steps", $"at most {RewardItem.MaxSteps} points + cash steps");
        }

        for (var i = 0; i < Math.Min(steps.Count, RewardItem.MaxSteps); i++)
        {
            if (steps[i] is null)
            {
                errors.Add($"steps[{i}]", "must be an object {points, cash}, not null");
            }
        }

        var tiers = item.EligibleTiers ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tiers.Count; i++)
        {
            if (tiers[i] is null)
            {
                errors.Add($"eligibleTiers[{i}]", "must be a tier name, not null");
            }
            else if (!seen.Add(tiers[i]))
            {
                errors.Add($"eligibleTiers[{i}]", "named twice");
            }
        }

        if (item.Sku is { } sku && !OfferIds.IsValid(sku))
        {
            errors.Add("sku", OfferProblems.OptionalIdRule);
        }
    }

    private static async Task<IResult> PutStockAsync(string rewardId, [FromBody] List<StoreStockLine?>? lines, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferIds.Rule);
        }

        if (lines is null || lines.Count is 0 or > MaxStockLines)
        {
            errors.Add("body", $"a JSON array of 1–{MaxStockLines} {{storeId, available}} is required");
            return errors.ToProblem();
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is not { } line || !OfferIds.IsValid(line.StoreId))
            {
                errors.Add($"[{i}].storeId", OfferIds.Rule);
            }
            else if (!seen.Add(line.StoreId!))
            {
                errors.Add($"[{i}].storeId", "named twice");
            }

            if (lines[i] is { Available: < 0 or > 1_000_000_000 })
            {
                errors.Add($"[{i}].available", "must be 0–1,000,000,000");
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        if (await grains.GetGrain<IRewardCatalogueGrain>(0).GetAsync(rewardId) is null)
        {
            return RewardNotFound(rewardId);
        }

        var views = await Task.WhenAll(lines.Select(l => grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, l!.StoreId!)).SetAvailableAsync(l.Available)));
        return Results.Ok(views);
    }

    private static async Task<IResult> GetStockAsync(string rewardId, string storeId, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferIds.Rule);
        }

        if (!OfferIds.IsValid(storeId))
        {
            errors.Add("storeId", OfferIds.Rule);
        }

        return errors.Any ? errors.ToProblem() : Results.Ok(await grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, storeId)).GetAsync());
    }

    private static Task<IResult> RedeemAsync(string rewardId, [FromBody] CatalogueRedemptionRequest? request, CatalogueRedemptions redemptions) =>
        redemptions.RedeemAsync(rewardId, request);

    internal static IResult RewardNotFound(string rewardId) =>
        OfferProblems.NotFound("Reward not found", $"The catalogue has no reward '{rewardId}'.");
}

/// <summary>Units of a reward available at one store.</summary>
public sealed record StoreStockLine(string? StoreId, long Available);
