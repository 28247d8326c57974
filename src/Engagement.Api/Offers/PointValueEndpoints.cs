using System.Security.Claims;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Offers;

/// <summary>
/// The point value (CONTRACT.md §2): <c>GET /programme/point-value</c> (now, bounds, history) and
/// <c>PUT /programme/point-value</c> <c>{value, effectiveFrom?, reason, changeId?}</c> (admin) within ±20% of the anchor.
/// </summary>
public static class PointValueEndpoints
{
    public static IEndpointRouteBuilder MapPointValueEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/programme/point-value").WithTags("programme");
        group.MapGet("", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("The point value (CNY per point) now, its bounds, and every change");
        group.MapPut("", PutAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Change the point value from an instant (default now), within ±20% of 0.01 CNY; idempotent by changeId");
        return routes;
    }

    private static async Task<IResult> GetAsync(IGrainFactory grains) =>
        Results.Ok(await grains.GetGrain<IPointValueGrain>(0).GetAsync());

    private static async Task<IResult> PutAsync([FromBody] PointValueChangeRequest? request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (request is null)
        {
            errors.Add("body", "a JSON object {value, effectiveFrom?, reason, changeId?} is required");
            return errors.ToProblem();
        }

        if (PointValueSchedule.Check(request.Value) is { } refusal)
        {
            errors.Add("value", refusal);
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
        {
            errors.Add("reason", "required, 1–500 characters");
        }

        if (request.ChangeId is { Length: > 0 } id && !OfferIds.IsValid(id))
        {
            errors.Add("changeId", OfferIds.Rule);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var change = request with
        {
            ChangeId = request.ChangeId is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N"),
            SetBy = ApiKeyIdentity.NameOf(user),
        };
        var result = await grains.GetGrain<IPointValueGrain>(0).SetAsync(change);
        return result.Refusal is { } refused
            ? FieldErrors.Problem(refused.Contains("effectiveFrom", StringComparison.Ordinal) ? "effectiveFrom" : "value", refused)
            : Results.Ok(result.View);
    }
}
