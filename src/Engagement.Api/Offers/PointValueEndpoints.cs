using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Offers;
using Engagement.Domain;
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

    /// <summary>The audit action of a point value change (<c>GET /audit</c>, CONTRACT.md §4: every manual action).</summary>
    public const string AuditAction = "programme.point-value";

    private static async Task<IResult> PutAsync(
        [FromBody] PointValueChangeRequest? request, IGrainFactory grains, ClaimsPrincipal user, IAuditLog audit, TimeProvider time, CancellationToken cancellationToken)
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

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500 || !ReasonText.IsClean(request.Reason))
        {
            errors.Add("reason", $"required, 1–500 characters, {ReasonText.Rule}");
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
        if (result.Refusal is { } refused)
        {
            return FieldErrors.Problem(refused.Contains("effectiveFrom", StringComparison.Ordinal) ? "effectiveFrom" : "value", refused);
        }

        // Keyed by the change id: a retried change (idempotent in the grain) is one audit row.
        var recorded = result.View.History.FirstOrDefault(h => h.ChangeId == change.ChangeId);
        await audit.AppendAsync(new AuditEntry
        {
            AuditId = "point-value|" + change.ChangeId,
            At = time.GetUtcNow(),
            Actor = change.SetBy,
            Role = ApiKeyIdentity.RoleOf(user),
            Action = AuditAction,
            Target = "point-value",
            Detail = string.Create(
                CultureInfo.InvariantCulture,
                $"{recorded?.Value ?? change.Value} CNY per point from {(recorded?.EffectiveFrom ?? change.EffectiveFrom)?.ToString("O", CultureInfo.InvariantCulture) ?? "now"}"),
            Reason = change.Reason.Trim(),
        }, cancellationToken);
        return Results.Ok(result.View);
    }
}
