using System.Security.Claims;
using Engagement.Api.Audience;
using Engagement.Api.Problems;
using Engagement.Api.Reports;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Points;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Support;

/// <summary>
/// Support and audit endpoints of CONTRACT.md §4: member search, manual adjustments, the audit trail, the campaign list.
/// Each calls the same application service the console uses.
/// </summary>
public static class SupportEndpoints
{
    /// <summary>Support and admin: adjust members (within the support limit unless admin), read the audit.</summary>
    public const string SupportPolicy = "engagement.support";

    public const int MaxAuditLimit = 1000;

    /// <summary>
    /// The earliest instant an audit range may name: the start (UTC) of <see cref="ReportEndpoints.EarliestDay"/>, before
    /// which nothing is kept. Near <see cref="DateTimeOffset.MinValue"/> the default week before <c>to</c> would not be an
    /// instant at all.
    /// </summary>
    public static readonly DateTimeOffset EarliestAuditInstant = new(ReportEndpoints.EarliestDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static IEndpointRouteBuilder MapSupportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/members", SearchAsync).WithTags("members").RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Find members by memberId prefix or phone prefix (phone masked unless admin); typing-ahead from an index");
        routes.MapPost("/api/v1/members/{memberId}/adjustments", AdjustAsync).WithTags("members").RequireAuthorization(SupportPolicy)
            .WithSummary("Manual points or growth change {adjustmentId, kind, delta, reason}; support up to the configured limit, admin beyond; idempotent; audited");
        routes.MapGet("/api/v1/audit", ReadAuditAsync).WithTags("audit").RequireAuthorization(SupportPolicy)
            .WithSummary("Every manual action from `from` to `to` (ISO-8601 with offset, e.g. 2026-11-23T00:00:00Z; default the last 7 days): who, when, what, reason; newest first");
        routes.MapGet("/api/v1/campaigns", ListCampaignsAsync).WithTags("campaigns").RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Campaigns, newest first, with status and progress; page with take and either skip or after (the id of the last campaign of the page before: a campaign created between pages repeats nothing)");
        routes.MapAudienceEndpoints();
        routes.MapCouponReissueEndpoints();
        return routes;
    }

    private static async Task<IResult> SearchAsync(string? query, int? limit, MemberDirectory directory, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(query) || query.Trim().Length > 64)
        {
            errors.Add("query", "required, 1–64 characters: a memberId prefix or phone digits");
        }

        if (limit is < 1 or > MemberDirectory.MaxLimit)
        {
            errors.Add("limit", $"must be between 1 and {MemberDirectory.MaxLimit}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return Results.Ok(await directory.SearchAsync(query!, limit ?? 20, user, cancellationToken));
    }

    private static async Task<IResult> AdjustAsync(
        string memberId, [FromBody] AdjustmentRequest? request, MemberAdjustments adjustments, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var outcome = await adjustments.AdjustAsync(memberId, request, user, cancellationToken);
        if (outcome.Errors is { } errors)
        {
            return errors.ToProblem();
        }

        if (outcome.Forbidden is { } why)
        {
            // Replaying an admin's adjustment is not about support's limit: its own title, and a reason a client can branch on.
            return outcome.MadeByAdmin
                ? Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden, title: "Made by an admin", detail: why,
                    extensions: new Dictionary<string, object?> { ["reason"] = "made_by_admin" })
                : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Above the support limit", detail: why, extensions: DailyLimit(outcome.DailyLimit));
        }

        var result = outcome.Result!;
        return result.Status switch
        {
            AdjustmentStatuses.Applied or AdjustmentStatuses.Replayed => Results.Ok(result),
            AdjustmentResult.UnknownMember => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Member not found", detail: result.Detail),
            _ => Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: result.Status == AdjustmentStatuses.Conflict ? "adjustmentId already used differently" : "Adjustment refused",
                detail: result.Detail,
                // "status" is the problem's HTTP status; the refusal's own code goes under "reason" (no body repeats a key).
                extensions: new Dictionary<string, object?> { ["reason"] = result.Status, ["balanceAfter"] = result.BalanceAfter }),
        };
    }

    /// <summary>
    /// The daily-limit 403's extensions: <c>reason</c> <c>daily_limit</c> (what a client branches on, beside
    /// <c>made_by_admin</c>), the <c>kind</c>, the <c>limit</c>, what support already <c>used</c> that day and the
    /// <c>requested</c> |delta| (points or growth value), and the programme-local <c>day</c> (<c>YYYY-MM-DD</c>) in
    /// <c>timeZone</c> the use was summed over: the domain's figures (<see cref="SupportDeskUse"/>), mapped one to one.
    /// </summary>
    private static Dictionary<string, object?> DailyLimit(SupportDeskUse? use)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = "daily_limit" };
        if (use is not null)
        {
            extensions["kind"] = use.Kind;
            extensions["limit"] = use.Limit;
            extensions["used"] = use.Used;
            extensions["requested"] = use.Requested;
            extensions["day"] = use.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            extensions["timeZone"] = use.TimeZone;
        }

        return extensions;
    }

    /// <summary>
    /// Reads the audit from <paramref name="from"/> to <paramref name="to"/>. Each, when given, must be an ISO-8601
    /// date-time with an offset (CONTRACT.md §1: instants carry one): <c>2026-11-23T00:00:00</c> alone means a different
    /// instant on each server's time zone (8 hours apart between UTC and Asia/Shanghai), so it is a 400 naming the field.
    /// </summary>
    private static async Task<IResult> ReadAuditAsync(
        string? from, string? to, int? limit, IAuditLog audit, TimeProvider time, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var toAt = Instant(to, "to", errors);
        var fromAt = Instant(from, "from", errors);
        foreach (var (field, at) in new[] { ("to", toAt), ("from", fromAt) })
        {
            if (at < EarliestAuditInstant)
            {
                errors.Add(field, $"must not be before {EarliestAuditInstant:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var end = toAt ?? time.GetUtcNow();
        var start = fromAt ?? (end - EarliestAuditInstant > TimeSpan.FromDays(7) ? end.AddDays(-7) : EarliestAuditInstant);
        if (end <= start)
        {
            errors.Add("to", "must be after from");
        }
        else if (end - start > TimeSpan.FromDays(366))
        {
            errors.Add("from", "the range may cover at most 366 days");
        }

        if (limit is < 1 or > MaxAuditLimit)
        {
            errors.Add("limit", $"must be between 1 and {MaxAuditLimit}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Coupon codes in what support reads are their last 4 characters; an admin reads the entries as stored.
        return Results.Ok(AuditForRole.Shown(await audit.ReadAsync(start, end, limit ?? 200, cancellationToken), ApiKeyIdentity.RoleOf(user)));
    }

    /// <summary>The instant a query parameter names, null when it is absent; an error naming it when it has no offset.</summary>
    private static DateTimeOffset? Instant(string? text, string field, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        if (OffsetDateTimeJsonConverter.TryParse(text, out var at))
        {
            return at;
        }

        // A '+' left unescaped in a query string arrives as a space: say so, it is the usual reason an offset "is missing".
        errors.Add(field, OffsetDateTimeJsonConverter.Rule + " (in a query string write + as %2B)");
        return null;
    }

    /// <summary>
    /// Lists campaigns newest first: by <paramref name="skip"/> from the newest, or after campaign <paramref name="after"/>
    /// (a cursor: the id of the last campaign of the page before; a campaign created between the pages repeats nothing).
    /// </summary>
    private static async Task<IResult> ListCampaignsAsync(int? skip, int? take, string? after, CampaignCatalogue catalogue)
    {
        var errors = new FieldErrors();
        if (skip is < 0 or > 10_000)
        {
            errors.Add("skip", "must be between 0 and 10000");
        }

        if (take is < 1 or > 100)
        {
            errors.Add("take", "must be between 1 and 100");
        }

        if (after is not null && !CampaignDefinitions.IsValidId(after))
        {
            errors.Add("after", "a campaign id: 1–64 characters of A–Z a–z 0–9 _ - .");
        }
        else if (after is not null && skip is not null)
        {
            errors.Add("skip", "not with after: the page starts just after that campaign");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        if (after is null)
        {
            return Results.Ok(await catalogue.ListAsync(skip ?? 0, take ?? 50));
        }

        return await catalogue.ListAfterAsync(after, take ?? 50) is { } page
            ? Results.Ok(page)
            : FieldErrors.Problem("after", $"no campaign '{after}' in the list (unknown, or older than the {ICampaignCatalogGrain.MaxKept} kept)");
    }
}
