using System.Security.Claims;
using Engagement.Api.Members;
using Engagement.Api.Offers;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Program;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Campaigns;

/// <summary>
/// Marketing's campaigns (CONTRACT.md §4): define, trigger, pause and resume (each audited, <see cref="CampaignCommands"/>),
/// follow, read results; and the admin's member-index rebuild. Every 409 names why in words (<c>detail</c>) and as a
/// stable code (<c>reason</c>, one of <see cref="CampaignRefusals"/>).
/// </summary>
public static class CampaignEndpoints
{
    /// <summary>Member ids one rebuild request may carry.</summary>
    public const int MaxRebuildBatch = 1000;

    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder routes)
    {
        var campaigns = routes.MapGroup("/api/v1/campaigns").WithTags("campaigns");

        campaigns.MapPost("", CreateAsync).RequireAuthorization(ApiRoles.CampaignPolicy)
            .Accepts<CampaignDefinition>("application/json")
            .Produces<CampaignStatusView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Define a campaign (broadcast or triggered): audience, offer, channel, budget, arms, control share, attribution window; 409 reason definition_differs when the id holds another definition");
        campaigns.MapGet("/{campaignId}", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Definition, status and progress (reached / total, sent, deferred, suppressed, control, excluded)");
        campaigns.MapPost("/{campaignId}/trigger", TriggerAsync).RequireAuthorization(ApiRoles.CampaignPolicy)
            .Produces<CampaignStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Start a broadcast's fan-out; idempotent (a second trigger changes nothing); audited; 409 reason not_broadcast, not_started or ended");
        campaigns.MapPost("/{campaignId}/pause", PauseAsync).RequireAuthorization(ApiRoles.CampaignPolicy)
            .Produces<CampaignStatusView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Pause a running broadcast (it stops at the next page boundary) or an active triggered campaign; idempotent; audited; 409 reason draft, completed or ended");
        campaigns.MapPost("/{campaignId}/resume", ResumeAsync).RequireAuthorization(ApiRoles.CampaignPolicy)
            .Produces<CampaignStatusView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Resume a paused campaign from where it stopped; idempotent; audited; 409 reason draft, completed or ended (also a paused campaign whose validity ran out)");
        campaigns.MapGet("/{campaignId}/results", GetResultsAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("Per arm, control and global control: audience, outcomes, conversions, revenue, cost, ROI, uplift with 95% CI");
        campaigns.MapGet("/{campaignId}/members/{memberId}", GetMembershipAsync).RequireAuthorization(ApiRoles.ReadPolicy)
            .WithSummary("What one member had of the campaign: group (arm, control, global control), outcome, conversion");
        campaigns.MapPost("/index/rebuild", RebuildIndexAsync).RequireAuthorization(ApiRoles.AdminPolicy)
            .WithSummary("Re-write the member-index rows of the given members from their live state: {\"memberIds\": [...]}");
        return routes;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, CampaignCommands commands, ClaimsPrincipal user, IOptions<JsonOptions> json, IOptions<ProgramOptions> programme)
    {
        // Every bad field in one answer: a value that does not bind (a validFrom without its offset) is named and left
        // out, and the rest is still validated (arms[1].weight beside it).
        var errors = new FieldErrors();
        var definition = await JsonBodies.ReadAsync<CampaignDefinition>(
            request,
            json.Value.SerializerOptions,
            errors,
            ex => ex.Message.StartsWith(OffsetDateTimeJsonConverter.Rule, StringComparison.Ordinal) ? OffsetDateTimeJsonConverter.Rule : "has the wrong type or is not valid JSON");
        if (definition is not null || !errors.Any)
        {
            foreach (var problem in CampaignDefinitions.Validate(definition, programme.Value.Tiers.Keys).Concat(CampaignCoupons.Errors(definition)))
            {
                if (!errors.Names(problem.Field))
                {
                    errors.Add(problem.Field, problem.Message);
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem("The campaign definition has invalid fields");
        }

        var valid = definition!;
        var result = await commands.CreateAsync(valid, user, request.HttpContext.RequestAborted);
        return result.Status switch
        {
            CampaignCreateResult.Created => Results.Created($"/api/v1/campaigns/{valid.Id}", result.Campaign),
            CampaignCreateResult.Exists => Results.Ok(result.Campaign),
            CampaignCreateResult.Conflict => OfferProblems.Conflict(
                "A different campaign has this id",
                $"Campaign '{valid.Id}' exists with another definition; definitions are immutable, use a new id.",
                CampaignRefusals.DefinitionDiffers),
            _ => FromErrors(result.Errors),
        };
    }

    private static async Task<IResult> GetAsync(string campaignId, IGrainFactory grains)
    {
        if (InvalidId(campaignId) is { } invalid)
        {
            return invalid;
        }

        var view = await grains.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        return view is null ? NotFound(campaignId) : Results.Ok(view);
    }

    private static async Task<IResult> TriggerAsync(string campaignId, CampaignCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (InvalidId(campaignId) is { } invalid)
        {
            return invalid;
        }

        var result = await commands.TriggerAsync(campaignId, user, cancellationToken);
        return result.Status switch
        {
            CampaignTriggerResult.NotFound => NotFound(campaignId),
            CampaignTriggerResult.Refused => OfferProblems.Conflict("The campaign cannot be triggered", result.Detail ?? "", result.Reason ?? "", Status(result.Campaign)),
            _ => Results.Accepted($"/api/v1/campaigns/{campaignId}", result.Campaign),
        };
    }

    private static async Task<IResult> PauseAsync(string campaignId, CampaignCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        InvalidId(campaignId) ?? Controlled(campaignId, "paused", await commands.PauseAsync(campaignId, user, cancellationToken));

    private static async Task<IResult> ResumeAsync(string campaignId, CampaignCommands commands, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        InvalidId(campaignId) ?? Controlled(campaignId, "resumed", await commands.ResumeAsync(campaignId, user, cancellationToken));

    /// <summary>
    /// 200 with the campaign when it changed or already was so; 404; 409 whose <c>detail</c> says why the transition is
    /// not allowed, <c>reason</c> the same as a code (<see cref="CampaignControlResult.Reason"/>), <c>campaignStatus</c> its status.
    /// </summary>
    private static IResult Controlled(string campaignId, string verb, CampaignControlResult result) => result.Status switch
    {
        CampaignControlResult.NotFound => NotFound(campaignId),
        CampaignControlResult.Refused => OfferProblems.Conflict($"The campaign cannot be {verb}", result.Detail ?? "", result.Reason ?? "", Status(result.Campaign)),
        _ => Results.Ok(result.Campaign),
    };

    private static Dictionary<string, object?> Status(CampaignStatusView? campaign) => new() { ["campaignStatus"] = campaign?.Status };

    private static async Task<IResult> GetResultsAsync(string campaignId, IGrainFactory grains)
    {
        if (InvalidId(campaignId) is { } invalid)
        {
            return invalid;
        }

        var results = await grains.GetGrain<ICampaignGrain>(campaignId).GetResultsAsync();
        return results is null ? NotFound(campaignId) : Results.Ok(results);
    }

    private static async Task<IResult> GetMembershipAsync(string campaignId, string memberId, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (!CampaignDefinitions.IsValidId(campaignId))
        {
            errors.Add("campaignId", "must be " + CampaignDefinitions.IdRule);
        }

        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var membership = await grains.GetGrain<IMemberGrain>(memberId).GetCampaignMembershipAsync(campaignId);
        return membership is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not reached", detail: $"Member '{memberId}' has no record of campaign '{campaignId}'.")
            : Results.Ok(membership);
    }

    private static async Task<IResult> RebuildIndexAsync(IndexRebuildRequest? request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (request?.MemberIds is not { Count: > 0 and <= MaxRebuildBatch } ids)
        {
            errors.Add("memberIds", $"1 to {MaxRebuildBatch} member ids");
            return errors.ToProblem();
        }

        for (var i = 0; i < ids.Count; i++)
        {
            if (!MemberIds.IsValid(ids[i]))
            {
                errors.Add($"memberIds[{i}]", MemberIds.Rule);
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var reindexed = 0;
        var unknown = new List<string>();
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(16))
        {
            var done = await Task.WhenAll(chunk.Select(id => grains.GetGrain<IMemberGrain>(id).ReindexAsync()));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (done[i])
                {
                    reindexed++;
                }
                else
                {
                    unknown.Add(chunk[i]);
                }
            }
        }

        return Results.Ok(new IndexRebuildResult(reindexed, unknown));
    }

    private static IResult FromErrors(IReadOnlyList<CampaignFieldError> problems)
    {
        var errors = new FieldErrors();
        foreach (var problem in problems)
        {
            errors.Add(problem.Field, problem.Message);
        }

        return errors.ToProblem("The campaign definition has invalid fields");
    }

    private static IResult? InvalidId(string campaignId) =>
        CampaignDefinitions.IsValidId(campaignId) ? null : FieldErrors.Problem("campaignId", "must be " + CampaignDefinitions.IdRule);

    private static IResult NotFound(string campaignId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"No campaign '{campaignId}' is defined.");
}

/// <summary>Body of <c>POST /api/v1/campaigns/index/rebuild</c>.</summary>
public sealed record IndexRebuildRequest(IReadOnlyList<string>? MemberIds);

/// <summary>Members whose rows were re-written, and ids no member has.</summary>
public sealed record IndexRebuildResult(int Reindexed, IReadOnlyList<string> Unknown);
