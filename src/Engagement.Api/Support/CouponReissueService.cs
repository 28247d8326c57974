using System.Security.Claims;
using Engagement.Api.Members;
using Engagement.Api.Offers;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Offers;
using Engagement.Domain;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Support;

/// <summary>The body of <c>POST /api/v1/members/{memberId}/coupons/{code}/reissue</c>: <c>{reissueId, reason}</c>.</summary>
public sealed record CouponReissueBody
{
    /// <summary>The caller's id of this action, 1–128 characters.</summary>
    public string? ReissueId { get; init; }

    /// <summary>Why, 1–<see cref="CouponReissues.MaxReasonLength"/> characters (mandatory).</summary>
    public string? Reason { get; init; }
}

/// <summary>What a reissue request came to: field errors, or the member's answer.</summary>
public sealed record CouponReissueOutcomeView(FieldErrors? Errors, CouponReissueResult? Result);

/// <summary>
/// Coupon reissue as one application service for the API and the console: validation, the member grain (which applies
/// <see cref="CouponReissues"/>), and the audit entry (who = the key's name, when, what, why), keyed by member and old
/// code so a retried reissue is audited once.
/// </summary>
public sealed class MemberCouponReissues(IGrainFactory grains, IAuditLog audit, TimeProvider time)
{
    /// <summary>Audit action id of a coupon reissue.</summary>
    public const string AuditAction = "member.coupon_reissue";

    /// <summary>Validates, reissues through the member and audits an accepted (or replayed) reissue.</summary>
    public async Task<CouponReissueOutcomeView> ReissueAsync(string memberId, string code, CouponReissueBody? body, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        var normal = CouponCodes.Normalize(code);
        if (normal is null)
        {
            errors.Add("code", "must be a coupon code of 16 letters and digits");
        }

        if (body is null)
        {
            errors.Add("body", "a JSON object {reissueId, reason} is required");
            return new(errors, null);
        }

        if (!RequestIds.IsValid(body.ReissueId))
        {
            errors.Add("reissueId", RequestIds.Rule);
        }

        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Trim().Length > CouponReissues.MaxReasonLength || !ReasonText.IsClean(body.Reason))
        {
            errors.Add("reason", $"required, 1–{CouponReissues.MaxReasonLength} characters, {ReasonText.Rule}");
        }

        if (errors.Any)
        {
            return new(errors, null);
        }

        var actor = ApiKeyIdentity.NameOf(user);
        var request = new CouponReissueRequest { ReissueId = body.ReissueId!, Reason = body.Reason!.Trim(), Actor = actor };
        var result = await grains.GetGrain<ICouponHolder>(memberId).ReissueCouponAsync(normal!, request);
        if (result.Status is CouponReissueResult.Reissued or CouponReissueResult.Replayed)
        {
            await audit.AppendAsync(new AuditEntry
            {
                AuditId = $"coupon-reissue|{memberId}|{normal}",
                At = time.GetUtcNow(),
                Actor = actor,
                Role = ApiKeyIdentity.RoleOf(user),
                Action = AuditAction,
                Target = memberId,
                Detail = $"coupon {normal} → {result.Coupon!.Code}",
                Reason = request.Reason,
            }, cancellationToken);
        }

        return new(null, result);
    }
}

/// <summary>The reissue endpoint (support and admin).</summary>
public static class CouponReissueEndpoints
{
    /// <summary>Maps <c>POST /api/v1/members/{memberId}/coupons/{code}/reissue</c> under <see cref="SupportEndpoints.SupportPolicy"/>.</summary>
    public static IEndpointRouteBuilder MapCouponReissueEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/members/{memberId}/coupons/{code}/reissue", ReissueAsync).WithTags("coupons").RequireAuthorization(SupportEndpoints.SupportPolicy)
            .WithSummary("Support reissues a coupon {reissueId, reason}: the old one voided if still issued, a fresh one of the same offer for the same validity length; a retry answers the same new coupon; audited");
        return routes;
    }

    private static async Task<IResult> ReissueAsync(
        string memberId, string code, [FromBody] CouponReissueBody? body, MemberCouponReissues reissues, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var outcome = await reissues.ReissueAsync(memberId, code, body, user, cancellationToken);
        if (outcome.Errors is { } errors)
        {
            return errors.ToProblem();
        }

        var result = outcome.Result!;
        return result.Status switch
        {
            CouponReissueResult.Reissued => Results.Created($"/api/v1/coupons/{result.Coupon!.Code}?memberId={Uri.EscapeDataString(memberId)}", result),
            CouponReissueResult.Replayed => Results.Ok(result),
            CouponReissueResult.NotFound => OfferProblems.CouponNotFound(),
            _ => OfferProblems.Conflict(result.Reason switch
            {
                CouponRefusals.Used => "A redeemed coupon cannot be reissued",
                CouponRefusals.Voided => "A voided coupon cannot be reissued",
                _ => "Coupon reissue refused",
            }, result.Detail, result.Reason ?? "refused", new Dictionary<string, object?> { ["coupon"] = result.Old }),
        };
    }
}
