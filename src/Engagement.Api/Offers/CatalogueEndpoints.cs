using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Engagement.Api.Hosting;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Api.Support;
using Engagement.Contracts.Audit;
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
    /// <summary>The audit action of a reward created or replaced (<c>GET /audit</c>, CONTRACT.md §4: every manual action).</summary>
    public const string PutAuditAction = "catalogue.put";

    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder routes)
    {
        var catalogue = routes.MapGroup("/api/v1/catalogue").WithTags("catalogue");
        catalogue.MapGet("", ListAsync).RequireAuthorization(ApiRoles.OffersReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("The reward catalogue: market price, points price, points + cash steps, eligible tiers");
        catalogue.MapGet("/{rewardId}", GetAsync).RequireAuthorization(ApiRoles.OffersReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read);
        catalogue.MapPut("/{rewardId}", PutAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Create or replace a reward (HQ)");
        catalogue.MapPut("/{rewardId}/stock", PutStockAsync).RequireAuthorization(ApiRoles.StorePolicy).WithMemberDeadline(MemberDeadlineKind.Command)
            .WithSummary("Set the units of a reward available per store: [{storeId, available}]");
        catalogue.MapGet("/{rewardId}/stock/{storeId}", GetStockAsync).RequireAuthorization(ApiRoles.OffersReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("A reward's units at one store (zeros for a store never stocked); 404 for a reward not in the catalogue");
        catalogue.MapPost("/{rewardId}/redemptions", RedeemAsync).RequireAuthorization(ApiRoles.StorePolicy).WithMemberDeadline(MemberDeadlineKind.Command)
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

    private static async Task<IResult> PutAsync(
        string rewardId, [FromBody] RewardItemDto? item, IGrainFactory grains, IAuditLog audit, TimeProvider time, ClaimsPrincipal user, CancellationToken cancellationToken)
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

        var catalogue = grains.GetGrain<IRewardCatalogueGrain>(0);
        var requested = item! with { RewardId = rewardId, Steps = item.Steps ?? [], EligibleTiers = item.EligibleTiers ?? [] };
        if (await catalogue.GetAsync(rewardId) is { } current && SameContent(current, requested))
        {
            // A retried PUT (or one that changes nothing): no second write, so its audit row is the stored write's own,
            // written here if that write's request failed before its audit.
            await AuditPutAsync(audit, time, user, current, "saved", cancellationToken);
            return Results.Ok(current);
        }

        var result = await catalogue.PutAsync(requested);
        if (result.Status == CataloguePutResult.Invalid)
        {
            foreach (var error in result.Errors)
            {
                errors.Add(error.Field, error.Message);
            }

            return errors.ToProblem("The reward has invalid fields");
        }

        await AuditPutAsync(audit, time, user, result.Item!, result.Status, cancellationToken);
        return result.Status == CataloguePutResult.Created
            ? Results.Created($"/api/v1/catalogue/{rewardId}", result.Item)
            : Results.Ok(result.Item);
    }

    /// <summary>Whether two versions of a reward say the same (everything but the instant it was stored).</summary>
    private static bool SameContent(RewardItemDto stored, RewardItemDto requested) =>
        JsonSerializer.Serialize(stored with { UpdatedAt = default }) == JsonSerializer.Serialize(requested with { UpdatedAt = default });

    /// <summary>
    /// Audits a stored version of a reward as <see cref="PutAuditAction"/>, keyed by the instant it was stored: one row per
    /// write, the same row for a retry of it.
    /// </summary>
    private static Task AuditPutAsync(IAuditLog audit, TimeProvider time, ClaimsPrincipal user, RewardItemDto stored, string status, CancellationToken cancellationToken)
    {
        // A reward stored before null steps and tiers were refused may hold nulls: the audit must not turn its PUT into a 500.
        var steps = string.Join(" or ", (stored.Steps ?? []).OfType<PointsCashStepDto>().Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Points} points + {s.Cash} CNY")));
        var tiers = stored.EligibleTiers is { Count: > 0 } named ? string.Join(",", named) : "all tiers";
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"{status}: '{stored.Name}', {stored.PointsPrice} points{(steps.Length > 0 ? " or " + steps : "")}, market price {stored.MarketPrice} CNY, {tiers}, {(stored.Active ? "active" : "withdrawn")}");
        var auditId = string.Create(CultureInfo.InvariantCulture, $"catalogue|{stored.RewardId}|{stored.UpdatedAt.UtcTicks}");
        return audit.RecordAsync(time, user, auditId, PutAuditAction, stored.RewardId, detail, cancellationToken: cancellationToken);
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

    /// <summary>The audit action of a reward's stock set per store (<c>GET /audit</c>, CONTRACT.md §4: every manual action).</summary>
    public const string StockAuditAction = "catalogue.stock";

    private static async Task<IResult> PutStockAsync(
        string rewardId, [FromBody] List<StoreStockLine?>? lines, IGrainFactory grains, IAuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferIds.Rule);
        }

        if (!CountLines.Check(errors, lines, "storeId", l => l.StoreId, l => l.Available) || errors.Any)
        {
            return errors.ToProblem();
        }

        if (lines.Select(l => l!.StoreId).FirstOrDefault(s => !StoreKeyScope.Allows(user, s)) is { } otherStore)
        {
            return StoreKeyScope.Refusal(user, otherStore)!;
        }

        if (await grains.GetGrain<IRewardCatalogueGrain>(0).GetAsync(rewardId) is null)
        {
            return RewardNotFound(rewardId);
        }

        var views = await Task.WhenAll(lines.Select(l => grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, l!.StoreId!)).SetAvailableAsync(l.Available)));

        // Keyed by the latest instant a store's stock was changed by this request (or, for a retry that changes nothing,
        // by the write it repeats): one row per write, and a retry writes the row its first attempt could not.
        if (views.Where(v => v.SetAt is not null).OrderByDescending(v => v.SetAt).ThenBy(v => v.StoreId, StringComparer.Ordinal).FirstOrDefault() is { } latest)
        {
            var auditId = string.Create(CultureInfo.InvariantCulture, $"catalogue.stock|{rewardId}|{latest.StoreId}|{latest.SetAt!.Value.UtcTicks}");
            var detail = StaffAudit.DescribeCounts(lines.Select(l => (l!.StoreId!, l.Available)));
            // Not the request's token: the stock is set, so its row is written even for a request that answered 503 at
            // its deadline (MemberDeadlines) or whose client went away.
            await audit.RecordAsync(time, user, auditId, StockAuditAction, rewardId, detail, cancellationToken: CancellationToken.None);
        }

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

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A reward not in the catalogue is 404 as on PUT; a known reward at a store never stocked is 200 with zeros.
        if (await grains.GetGrain<IRewardCatalogueGrain>(0).GetAsync(rewardId) is null)
        {
            return RewardNotFound(rewardId);
        }

        return Results.Ok(await grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, storeId)).GetAsync());
    }

    private static Task<IResult> RedeemAsync(string rewardId, [FromBody] CatalogueRedemptionRequest? request, CatalogueRedemptions redemptions, ClaimsPrincipal user) =>
        StoreKeyScope.Refusal(user, request?.StoreId) is { } notThisStore ? Task.FromResult(notThisStore) : redemptions.RedeemAsync(rewardId, request);

    /// <summary>404: the catalogue has no reward <paramref name="rewardId"/>; names the field (<c>field</c> <c>rewardId</c>).</summary>
    internal static IResult RewardNotFound(string rewardId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Reward not found", detail: $"The catalogue has no reward '{rewardId}'.",
            extensions: new Dictionary<string, object?> { ["field"] = "rewardId", ["rewardId"] = rewardId });
}

/// <summary>Units of a reward available at one store.</summary>
public sealed record StoreStockLine(string? StoreId, long Available);
