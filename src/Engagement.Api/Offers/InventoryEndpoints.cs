using System.Globalization;
using System.Security.Claims;
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
/// Store inventory per sku (CONTRACT.md §2.1): <c>PUT /stores/{storeId}/inventory</c> <c>[{sku, available}]</c> from a
/// store system (store or admin key) sets the skus it names; <c>?regionId=</c> places the store in a region (kept until
/// another report names another), so a goods-tied offer may be issued where the member's home store has none but
/// another store of the member's region has some. A body of <c>[]</c> with <c>?regionId=</c> only places the store
/// (what a store team does once per store before region-scoped coupons, docs/http-api.md "A coupon's life"); <c>[]</c> without it is
/// refused (400 <c>body</c>), as it would say nothing. <c>GET</c> reads them.
/// </summary>
public static class InventoryEndpoints
{
    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var stores = routes.MapGroup("/api/v1/stores/{storeId}/inventory").WithTags("stores");
        stores.MapPut("", PutAsync).RequireAuthorization(ApiRoles.StorePolicy).WithMemberDeadline(MemberDeadlineKind.Command)
            .WithSummary("Set the units available per sku at a store: [{sku, available}]; skus not named stay as they were; ?regionId= places the store in a region ([] with it: only that)");
        stores.MapGet("", GetAsync).RequireAuthorization(ApiRoles.OffersReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("A store's inventory per sku");
        return routes;
    }

    /// <summary>The audit action of a store's inventory report that changed it (<c>GET /audit</c>, CONTRACT.md §4: every manual action).</summary>
    public const string AuditAction = "store.inventory";

    /// <summary>The <c>body</c> error of <c>[]</c> without <c>?regionId=</c>: an empty report changes nothing.</summary>
    public static readonly string PlaceOnlyRule =
        $"a JSON array of 1–{CountLines.MaxLines} {{sku, available}} is required; [] only with ?regionId= to place the store in a region";

    private static async Task<IResult> PutAsync(
        string storeId, string? regionId, [FromBody] List<InventoryLine?>? lines, IGrainFactory grains, IAuditLog audit, TimeProvider time, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (!OfferIds.IsValid(storeId))
        {
            errors.Add("storeId", OfferIds.Rule);
        }

        // regionId is optional: a bad one is told the rule of a value given, not "required".
        if (regionId is not null && !RegionIds.IsValid(regionId))
        {
            errors.Add("regionId", RegionIds.OptionalRule);
        }

        // [] with a region only places the store: its skus stay as they were. Without a region it would say nothing.
        var placingOnly = lines is { Count: 0 } && regionId is not null;
        if (lines is { Count: 0 } && regionId is null)
        {
            errors.Add("body", PlaceOnlyRule);
        }
        else if (!placingOnly)
        {
            _ = CountLines.Check(errors, lines, "sku", l => l.Sku, l => l.Available);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A bound store key sets its own store's stock and region only (StoreKeyScope).
        if (StoreKeyScope.Refusal(user, storeId) is { } notThisStore)
        {
            return notThisStore;
        }

        var result = await grains.GetGrain<IStoreInventoryGrain>(storeId).PutAsync([.. lines!.Select(l => l!)], regionId);
        if (result.Refusal is { } refusal)
        {
            return FieldErrors.Problem("body", refusal);
        }

        // Keyed by the instant the inventory last changed: a report that changed it is one row, and its retry (which
        // changes nothing) writes that row again, which the audit keeps once, so a failed first audit write is repaired.
        if (result.Inventory?.ChangedAt is { } changedAt)
        {
            var counts = StaffAudit.DescribeCounts(lines!.Select(l => (l!.Sku, l.Available)));
            var detail = regionId is null ? counts : placingOnly ? $"region {regionId}" : $"{counts}; region {regionId}";
            var auditId = string.Create(CultureInfo.InvariantCulture, $"store.inventory|{storeId}|{changedAt.UtcTicks}");
            // Not the request's token: the inventory is set, so its row is written even for a request that answered
            // 503 at its deadline (MemberDeadlines) or whose client went away.
            await audit.RecordAsync(time, user, auditId, AuditAction, storeId, detail, cancellationToken: CancellationToken.None);
        }

        return Results.Ok(result.Inventory);
    }

    private static async Task<IResult> GetAsync(string storeId, IGrainFactory grains) =>
        OfferIds.IsValid(storeId)
            ? Results.Ok(await grains.GetGrain<IStoreInventoryGrain>(storeId).GetAsync())
            : FieldErrors.Problem("storeId", OfferIds.Rule);
}
