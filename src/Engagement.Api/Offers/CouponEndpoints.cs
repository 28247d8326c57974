using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Hosting;
using Engagement.Api.Members;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Api.Support;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Offers;

/// <summary>
/// Coupons (CONTRACT.md §2.1, §4). A POS validates with <c>GET /coupons/{code}?memberId=</c> and redeems with
/// <c>POST /members/{memberId}/coupons/{code}/redeem</c>; both resolve the code through the directory (no scan) and
/// answer a code the member does not hold exactly like a code that does not exist. Staff keys may look a code up
/// without the member; a store key must name it.
/// </summary>
public static class CouponEndpoints
{
    /// <summary>The audit action of a coupon issued by staff (<c>GET /audit</c>, CONTRACT.md §4: every manual action).</summary>
    public const string IssueAuditAction = "coupon.issue";

    /// <summary>
    /// The range an order line's <c>quantity</c> must be in, as the redemption's 400 words it (also for a number past an
    /// int, <see cref="Problems.IntegerOverflow"/>): 0 to <see cref="EventBounds.MaxItemQuantity"/>, 0 or left out meaning 1.
    /// </summary>
    internal static readonly string QuantityRange =
        string.Create(CultureInfo.InvariantCulture, $"must be 0–{EventBounds.MaxItemQuantity:N0} (0 or left out: 1)");

    public static IEndpointRouteBuilder MapCouponEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/coupons/{code}", FindAsync).WithTags("coupons").RequireAuthorization(ApiRoles.OffersReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("One coupon and the member holding it; a store key passes ?memberId= and sees only that member's coupon");
        var member = routes.MapGroup("/api/v1/members/{memberId}/coupons").WithTags("coupons");
        member.MapGet("", ListAsync).RequireAuthorization(ApiRoles.ReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("A member's coupons, newest first; 404 for a member the engine has never seen");
        member.MapPost("", IssueAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Issue a coupon to a member (a goodwill grant); idempotent by grantId; 409 out_of_stock for skus no store near the member has, unless ignoreStock");
        member.MapPost("/{code}/redeem", RedeemAsync).RequireAuthorization(ApiRoles.StorePolicy).WithMemberDeadline(MemberDeadlineKind.Command)
            .WithSummary("Redeem a coupon at a store {redemptionId, storeId, regionId?, orderAmount, items?}; 409 names why not; idempotent by redemptionId");
        return routes;
    }

    private static async Task<IResult> FindAsync(string code, string? memberId, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var normal = CouponCodes.Normalize(code);
        if (normal is null)
        {
            errors.Add("code", $"a coupon code is {CouponCodes.Length} characters of {CouponCodes.Alphabet} (dashes and spaces ignored)");
        }

        if (memberId is not null && !MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }
        else if (memberId is null && ApiKeyIdentity.RoleOf(user) == ApiRoles.Store)
        {
            errors.Add("memberId", "required with a store key: the member presenting the coupon");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // The member's own book is authoritative when the caller names the member; the directory answers only "who".
        var holder = memberId ?? await grains.GetGrain<ICouponDirectoryGrain>(normal!).FindMemberAsync();
        if (holder is null)
        {
            return OfferProblems.CouponNotFound();
        }

        var coupon = await grains.GetGrain<ICouponHolder>(holder).GetCouponAsync(normal!);
        return coupon is null ? OfferProblems.CouponNotFound() : Results.Ok(coupon);
    }

    // A member with no coupons is one the engine has seen (200 []); one it has not is 404, as its view and ledger are.
    // Only a member the engine has seen can hold a coupon (issue refuses "member has never been seen").
    private static async Task<IResult> ListAsync(string memberId, IGrainFactory grains)
    {
        if (!MemberIds.IsValid(memberId))
        {
            return FieldErrors.Problem("memberId", MemberIds.Rule);
        }

        // The view carries the coupons as GetCouponsAsync projects them (as of now, newest first): one grain call, not two.
        var view = await grains.GetGrain<IMemberGrain>(memberId).GetViewAsync();
        return view is null ? MemberEndpoints.MemberNotFound(memberId) : Results.Ok(view.Coupons);
    }

    private static async Task<IResult> IssueAsync(
        string memberId, [FromBody] CouponGrant? grant, IGrainFactory grains, IAuditLog audit, TimeProvider time, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (grant is null)
        {
            errors.Add("body", "a JSON object {grantId, offerId?, kind, value, minSpend?, gift?, validDays?, regions?, stores?, skus?, categories?, ignoreStock?} is required");
            return errors.ToProblem();
        }

        // offerId is optional (docs/offers.md): left out or null is no offer; when given it is an offer id, which
        // keys the per-offer coupon metrics, so it keeps the id rule (a null key there was a 500, a 5,000-character
        // one was stored).
        if (grant.OfferId is { Length: > 0 } offerId && !OfferIds.IsValid(offerId))
        {
            errors.Add("offerId", OfferProblems.OptionalIdRule);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var normalized = grant with
        {
            OfferId = grant.OfferId ?? "", Regions = grant.Regions ?? [], Stores = grant.Stores ?? [], Skus = grant.Skus ?? [], Categories = grant.Categories ?? [],
        };
        var result = await grains.GetGrain<ICouponHolder>(memberId).IssueCouponAsync(normalized);
        foreach (var error in result.Errors)
        {
            errors.Add(error.Field, error.Message);
        }

        if (result.Status is CouponIssueResult.Issued or CouponIssueResult.Duplicate && result.Coupon is { } coupon)
        {
            // Keyed by the grant id (the issue's idempotency key): a retried grant, answered as a duplicate, is one row.
            // A fresh issue did what its request asked (an older silo in a rolling deploy does not report the skip).
            var skipped = result.StockCheckSkipped || (result.Status == CouponIssueResult.Issued && normalized.IgnoreStock && normalized.Skus.Count > 0);
            var detail = string.Create(
                CultureInfo.InvariantCulture,
                $"coupon {coupon.Code}: {coupon.Kind} {coupon.Value}{(coupon.MinSpend > 0 ? $" over {coupon.MinSpend}" : "")}{(coupon.OfferId is { Length: > 0 } offer ? ", offer " + offer : "")}, grant {normalized.GrantId}{(skipped ? ", issued with ignoreStock: no stock check" : "")}");
            await audit.RecordAsync(time, user, $"coupon.issue|{memberId}|{normalized.GrantId}", IssueAuditAction, memberId, detail, cancellationToken: cancellationToken);
        }

        return result.Status switch
        {
            CouponIssueResult.Invalid => errors.ToProblem("The grant has invalid fields"),
            CouponIssueResult.Issued => Results.Created($"/api/v1/coupons/{result.Coupon!.Code}", result.Coupon),
            CouponIssueResult.Duplicate => Results.Ok(result.Coupon),
            CouponIssueResult.OutOfStock => OfferProblems.Conflict("Out of stock", result.Detail, CouponIssueResult.OutOfStock, new Dictionary<string, object?> { ["skus"] = normalized.Skus }),
            _ => OfferProblems.Conflict("Coupon not issued", result.Detail, "refused"),
        };
    }

    private static async Task<IResult> RedeemAsync(string memberId, string code, [FromBody] CouponRedeemRequest? request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var normal = CouponCodes.Normalize(code);
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (normal is null)
        {
            errors.Add("code", $"a coupon code is {CouponCodes.Length} characters of {CouponCodes.Alphabet} (dashes and spaces ignored)");
        }

        if (request is null)
        {
            errors.Add("body", "a JSON object {redemptionId, storeId, regionId?, orderAmount, items?} is required");
            return errors.ToProblem();
        }

        if (!RequestIds.IsValid(request.RedemptionId))
        {
            errors.Add("redemptionId", RequestIds.Rule);
        }

        if (!OfferIds.IsValid(request.StoreId))
        {
            errors.Add("storeId", OfferIds.Rule);
        }

        if (request.RegionId is { } region && !RegionIds.IsValid(region))
        {
            errors.Add("regionId", RegionIds.OptionalRule);
        }

        if (request.OrderAmount <= 0 || request.OrderAmount > EventValidator.MaxPurchaseAmount || decimal.Round(request.OrderAmount, 2) != request.OrderAmount)
        {
            errors.Add("orderAmount", "must be CNY > 0 and ≤ 10,000,000 with at most 2 decimals");
        }

        ValidateItems(request.Items, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A bound store key redeems at its own store(s) only: another storeId would pass another store's scope.
        if (StoreKeyScope.Refusal(user, request.StoreId) is { } notThisStore)
        {
            return notThisStore;
        }

        // A region-scoped coupon is checked against the store's own region, as its inventory reports it (a till cannot
        // claim another). For a store that never reported one, the till's regionId is trusted (it is all there is); with
        // none, the region is not known and a region-scoped coupon is refused wrong_store naming the store. Never the
        // member's home region: where the member lives says nothing about where the store is.
        var store = await grains.GetGrain<IStoreInventoryGrain>(request.StoreId).GetAsync();
        if (store.RegionId is { } storeRegion)
        {
            request = request with { RegionId = storeRegion };
        }

        // The member's book decides: a code it does not hold is the same 404 as a code that does not exist.
        var result = await grains.GetGrain<ICouponHolder>(memberId).RedeemCouponAsync(normal!, request);
        if (result.Accepted)
        {
            return Results.Ok(result);
        }

        if (result.Reason == CouponRefusals.RedemptionIdReused)
        {
            // "field": orderAmount (the same coupon, another amount), or redemptionId itself (it redeemed another coupon).
            var field = result.Field ?? "orderAmount";
            return OfferProblems.Conflict(field == "redemptionId" ? "redemptionId already used on another coupon" : "redemptionId already used differently",
                result.Detail, result.Reason, new Dictionary<string, object?> { ["field"] = field, ["coupon"] = result.Coupon });
        }

        if (result.Reason == CouponRefusals.NotFound)
        {
            return OfferProblems.CouponNotFound();
        }

        // A refusal of a redemptionId sent again from another store (reason used) names the field too.
        var more = new Dictionary<string, object?> { ["coupon"] = result.Coupon };
        if (result.Field is { } differs)
        {
            more["field"] = differs;
        }

        return OfferProblems.Conflict(TitleOf(result.Reason), result.Detail, result.Reason ?? "refused", more);
    }

    /// <summary>The optional <c>items</c> of a redeem request: the rules of a purchase event's items (CONTRACT.md §1), unitPrice in CNY with at most 2 decimals.</summary>
    private static void ValidateItems(IReadOnlyList<EventItem>? items, FieldErrors errors)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > EventBounds.MaxItems)
        {
            errors.Add("items", "at most 100 lines");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"items[{i}]");
            if (items[i] is not { } item)
            {
                errors.Add(field, "a line {sku?, category?, quantity, unitPrice} is required");
                continue;
            }

            if ((item.Sku is { } sku && EventBounds.CodePoints(sku) > EventBounds.MaxItemTextLength) || (item.Category is { } category && EventBounds.CodePoints(category) > EventBounds.MaxItemTextLength))
            {
                errors.Add(field, "sku and category are at most 64 characters each");
            }

            if (item.Quantity is < 0 or > EventBounds.MaxItemQuantity)
            {
                errors.Add(field + ".quantity", QuantityRange);
            }

            if (item.UnitPrice is < 0 or > EventBounds.MaxItemUnitPrice || decimal.Round(item.UnitPrice, 2) != item.UnitPrice)
            {
                errors.Add(field + ".unitPrice", "must be CNY 0–10,000,000 with at most 2 decimals");
            }
        }
    }

    private static string TitleOf(string? reason) => reason switch
    {
        CouponRefusals.Expired => "Coupon expired",
        CouponRefusals.Used => "Coupon already used",
        CouponRefusals.WrongStore => "Coupon not valid at this store",
        CouponRefusals.BelowMinSpend => "Order below the coupon's minimum spend",
        CouponRefusals.Voided => "Coupon voided",
        CouponRefusals.NotYetValid => "Coupon not valid yet",
        _ => "Coupon not applicable",
    };
}
