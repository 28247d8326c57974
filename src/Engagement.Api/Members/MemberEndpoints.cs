using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Hosting;
using Engagement.Api.Offers;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Api.Support;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Members;

/// <summary>Support's view of a member (CONTRACT.md §4): live state, ledger, touches; redemptions and consent.</summary>
public static class MemberEndpoints
{
    private static readonly HashSet<string> LedgerKinds = new(StringComparer.Ordinal) { "points", "growth", "tier", "coupon" };

    /// <summary>
    /// The range a redemption's <c>points</c> must be in, as its 400 words it (also for a number past a long,
    /// <see cref="Problems.IntegerOverflow"/>): 0 to <see cref="RewardItem.MaxPoints"/> points at a store (a reward may be
    /// cash only), else from 1.
    /// </summary>
    internal static string PointsRange(bool atStore) =>
        string.Create(CultureInfo.InvariantCulture, $"must be {(atStore ? 0 : 1)}–{RewardItem.MaxPoints}");

    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder routes)
    {
        var members = routes.MapGroup("/api/v1/members/{memberId}").WithTags("members");

        members.MapGet("", GetMemberAsync).RequireAuthorization(ApiRoles.MemberViewPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("A member's live view: tier, growth, points, lifecycle, RFM, benefits, caps");
        members.MapGet("/ledger", GetLedgerAsync).RequireAuthorization(ApiRoles.ReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("Why every point and growth value changed, newest first; page back with `before`");
        members.MapGet("/touches", GetTouchesAsync).RequireAuthorization(ApiRoles.ReadPolicy).WithMemberDeadline(MemberDeadlineKind.Read)
            .WithSummary("Every touch decision (sent, deferred, suppressed) with its reason");
        members.MapPost("/redemptions", RedeemAsync).RequireAuthorization(ApiRoles.TillPolicy).WithMemberDeadline(MemberDeadlineKind.Command)
            .WithSummary("Redeem points (optionally with cash); idempotent by redemptionId");
        members.MapPut("/consent", SetConsentAsync).RequireAuthorization(SupportEndpoints.SupportPolicy)
            .WithSummary("Set channel consent, e.g. {\"sms\": false}, with an optional ?reason=; support and admin; audited (member.consent)");
        return routes;
    }

    private static IResult? InvalidMemberId(string memberId) =>
        MemberIds.IsValid(memberId) ? null : FieldErrors.Problem("memberId", MemberIds.Rule);

    /// <summary>404 problem details: no event for <paramref name="memberId"/> has been seen (every member read of an unknown id answers it).</summary>
    internal static IResult MemberNotFound(string memberId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Member not found", detail: $"No event for member '{memberId}' has been seen.");

    private static async Task<IResult> GetMemberAsync(string memberId, IGrainFactory grains, ClaimsPrincipal user)
    {
        if (InvalidMemberId(memberId) is { } invalid)
        {
            return invalid;
        }

        var view = await grains.GetGrain<IMemberGrain>(memberId).GetViewAsync();
        if (view is null)
        {
            return MemberNotFound(memberId);
        }

        // A till reads tier, balance, coupons and benefits, nothing else of the member (RFM, tags, consent...); a code is worth its
        // value there, so a store key sees each code by its last 4 only.
        // Held refunds are for support and admin tracing an event (docs/http-api.md), not for marketing.
        return user.IsInRole(ApiRoles.Store) && !user.IsInRole(ApiRoles.Admin) ? Results.Ok(TillMemberView.Of(view))
            : user.IsInRole(ApiRoles.Marketing) && !user.IsInRole(ApiRoles.Admin) ? Results.Ok(view with { HeldRefunds = [] })
            : Results.Ok(view);
    }

    private static async Task<IResult> GetLedgerAsync(string memberId, IGrainFactory grains, string? kind, int? limit, long? before)
    {
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (kind is not null && !LedgerKinds.Contains(kind))
        {
            errors.Add("kind", "must be points, growth, tier or coupon");
        }

        if (limit is < 1 or > 500)
        {
            errors.Add("limit", "must be between 1 and 500");
        }

        if (before is < 1)
        {
            errors.Add("before", "must be a positive ledger sequence number");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var grain = grains.GetGrain<IMemberGrain>(memberId);
        if (await grain.GetViewAsync() is null)
        {
            return MemberNotFound(memberId);
        }

        var page = await grain.GetLedgerAsync(new LedgerQuery { Kind = kind, Limit = limit ?? 50, Before = before });
        return Results.Ok(page);
    }

    private static async Task<IResult> GetTouchesAsync(string memberId, IGrainFactory grains, int? limit)
    {
        if (InvalidMemberId(memberId) is { } invalid)
        {
            return invalid;
        }

        if (limit is < 1 or > 500)
        {
            var errors = new FieldErrors();
            errors.Add("limit", "must be between 1 and 500");
            return errors.ToProblem();
        }

        var grain = grains.GetGrain<IMemberGrain>(memberId);
        if (await grain.GetViewAsync() is null)
        {
            return MemberNotFound(memberId);
        }

        return Results.Ok(await grain.GetTouchesAsync(limit ?? 100));
    }

    private static async Task<IResult> RedeemAsync(string memberId, [FromBody] MemberRedemptionBody? request, IGrainFactory grains, HttpContext context)
    {
        // Resolved now: past its deadline this work goes on after the request's services are gone (MemberDeadlines).
        var clock = EngineClock.Of(context.RequestServices);
        var catalogueRedemptions = context.RequestServices.GetRequiredService<CatalogueRedemptions>();
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (request is null)
        {
            errors.Add("body", "a JSON object {redemptionId, points, cashAmount?, rewardId?, storeId?} is required");
            return errors.ToProblem();
        }

        // A bound store key spends points at its own store(s) only (StoreKeyScope).
        if (StoreKeyScope.Refusal(context.User, request.StoreId) is { } notThisStore)
        {
            return notThisStore;
        }

        if (!RequestIds.IsValid(request.RedemptionId))
        {
            errors.Add("redemptionId", RequestIds.Rule);
        }

        // A catalogue redemption (a reward at a store) may be cash only, as its reward's option allows: 0 points.
        var atStore = request.RewardId is not null && request.StoreId is not null;
        if (request.Points is < 0 or > RewardItem.MaxPoints || (request.Points == 0 && !atStore))
        {
            errors.Add("points", PointsRange(atStore));
        }

        // CNY has 2 decimals: 12.345 is refused, never stored as given beside a ledger that shows 12.35.
        if (request.CashAmount is { } cash && (cash < 0 || cash > EventValidator.MaxPurchaseAmount || decimal.Round(cash, 2) != cash))
        {
            errors.Add("cashAmount", "must be CNY 0–10,000,000 with at most 2 decimals");
        }

        // A catalogue reward's id (PUT /catalogue/{rewardId}), with its rule.
        if (request.RewardId is { } rewardId && !OfferIds.IsValid(rewardId))
        {
            errors.Add("rewardId", OfferProblems.OptionalIdRule);
        }

        if (request.StoreId is not null && !OfferIds.IsValid(request.StoreId))
        {
            errors.Add("storeId", OfferProblems.OptionalIdRule);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A reward at a store is a catalogue redemption: its stock, price and tier are checked and a unit taken there.
        // Without a store the body is CONTRACT.md §4's {redemptionId, points, cashAmount?, rewardId?}: a points
        // redemption naming the reward, checked below like a catalogue one but taking no unit (no store holds one for it).
        if (request.RewardId is { } reward && request.StoreId is not null)
        {
            return await catalogueRedemptions.RedeemAsync(reward, new CatalogueRedemptionRequest
            {
                RedemptionId = request.RedemptionId, MemberId = memberId, StoreId = request.StoreId, Points = request.Points, CashAmount = request.CashAmount,
            });
        }

        // A store-less redemption naming a reward takes no unit, but the reward is checked by the catalogue's own rule as at
        // a store (exists, active, points + cash one of its options, the member's tier): the member pays for that reward
        // and is sent its catalogue confirmation, so a withdrawn, unknown or under-priced reward is refused, nothing spent.
        // A retry of a redemption the member already accepted for this reward is the member's to answer (a replay, or 409
        // invalid for another request under its id; CONTRACT.md §4, idempotent by redemptionId), whatever the catalogue
        // says now: the reward withdrawn, repriced or the member's tier lowered since must not refuse a paid redemption.
        // The member is asked only when the answer would be a 404 or the catalogue's refusal: its "not paid" costs a table
        // read (read again before it is answered), which a first-time redemption the catalogue approves need not spend;
        // the 404 or refusal is then decided again on the view storage holds (CatalogueRedemptions.CheckAsync).
        if (request.RewardId is { } named)
        {
            if ((await CatalogueRedemptions.CheckAsync(grains, memberId, request.RedemptionId, named, storeId: null, request.Points, request.CashAmount ?? 0m)).Refused is { } refused)
            {
                return refused;
            }
        }

        // The point value in force now values the redemption (never a value from the body).
        var pointValue = await grains.GetGrain<IPointValueGrain>(0).ValueAtAsync(clock.GetUtcNow());
        var result = await grains.GetGrain<IMemberGrain>(memberId).RedeemAsync(new RedemptionRequest { RedemptionId = request.RedemptionId, Points = request.Points, CashAmount = request.CashAmount, RewardId = request.RewardId, PointValue = pointValue, StoreId = request.StoreId });
        return result.Status switch
        {
            RedemptionStatus.Accepted => Results.Ok(result),
            RedemptionStatus.UnknownMember => MemberNotFound(memberId),
            RedemptionStatus.InsufficientPoints or RedemptionStatus.NegativeBalance => Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: result.Status == RedemptionStatus.NegativeBalance ? "Points balance is negative" : "Not enough points",
                detail: result.Detail,
                // "status" is the problem's HTTP status; the refusal's own code goes under "reason".
                extensions: new Dictionary<string, object?> { ["pointsBalance"] = result.PointsBalance, ["reason"] = result.Status }),

            // The member's other "invalid" answers (no redemptionId, points ≤ 0, negative cash) are refused above as 400s
            // naming the field, so here it is the same redemptionId sent with another request: 409 "invalid" (docs/http-api.md).
            RedemptionStatus.Invalid => Offers.OfferProblems.Conflict(
                "redemptionId already used differently", result.Detail ?? $"redemptionId {request.RedemptionId} was already used for a different request",
                RedemptionStatus.Invalid, new Dictionary<string, object?> { ["field"] = "redemptionId", ["pointsBalance"] = result.PointsBalance }),
            // A points redemption under an id already used for another one (other points, cash or store, or with or without
            // one): the till reused its id; "field" names the first difference, the detail every one.
            RedemptionStatus.RedemptionIdReused => Offers.OfferProblems.Conflict(
                (result.Field ?? "storeId") == "storeId" ? "redemptionId already used at another store" : "redemptionId already used for another redemption",
                result.Detail ?? $"redemptionId {request.RedemptionId} was already used for another redemption",
                RedemptionStatus.RedemptionIdReused, new Dictionary<string, object?> { ["field"] = result.Field ?? "storeId", ["pointsBalance"] = result.PointsBalance }),
            _ => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Redemption refused", detail: result.Detail),
        };
    }

    private static async Task<IResult> SetConsentAsync(
        string memberId, [FromBody] Dictionary<string, bool>? consent, string? reason, MemberConsents consents, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var outcome = await consents.ChangeAsync(memberId, consent, reason, user, cancellationToken: cancellationToken);
        if (outcome.Errors is { } errors)
        {
            return errors.ToProblem();
        }

        return outcome.View is { } view ? Results.Ok(view) : MemberNotFound(memberId);
    }
}

/// <summary>
/// The body of <c>POST /members/{memberId}/redemptions</c>: <c>{redemptionId, points, cashAmount?, rewardId?, storeId?}</c>.
/// With <c>rewardId</c> and <c>storeId</c> it is a catalogue redemption at that store (stock, price and tier checked, a
/// unit taken; the answer is <c>POST /catalogue/{rewardId}/redemptions</c>'s, with <c>status</c> <c>accepted</c>); with
/// <c>rewardId</c> alone, CONTRACT.md §4's points redemption naming the reward, which takes no unit but is refused as the
/// catalogue redemption is when the reward is unknown (404), withdrawn or not for the member's tier (409), or the points +
/// cash are not one of its options (400 naming <c>points</c>).
/// </summary>
public sealed record MemberRedemptionBody
{
    /// <summary>The idempotency key, 1–128 characters.</summary>
    public required string RedemptionId { get; init; }

    /// <summary>Points spent.</summary>
    public long Points { get; init; }

    /// <summary>CNY paid besides, at most 2 decimals.</summary>
    public decimal? CashAmount { get; init; }

    /// <summary>A catalogue reward (<c>PUT /catalogue/{rewardId}</c>); null: points alone.</summary>
    public string? RewardId { get; init; }

    /// <summary>
    /// The store (an extension of CONTRACT.md §4's body, 1–64 characters of <c>A–Z a–z 0–9 _ - . :</c>): with
    /// <c>rewardId</c> the store whose unit the reward takes; without, where the points were spent, named in the ledger
    /// reason (<c>… at store S001</c>) and compared on a replay (another store: 409 <c>redemption_id_reused</c>). Null: no
    /// unit is taken and no store is recorded.
    /// </summary>
    public string? StoreId { get; init; }
}
