using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Campaigns;
using Engagement.Domain.Program;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Audience;

/// <summary>The audience size before a trigger: for a draft definition, or for a stored campaign.</summary>
public static class AudienceEndpoints
{
    public static IEndpointRouteBuilder MapAudienceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/campaigns/audience-estimate", EstimateAsync).WithTags("campaigns").RequireAuthorization(ApiRoles.CampaignPolicy)
            .WithSummary("How many members a definition's audience selects and its split (arms, control, global control), from the member index; exact or a bounded sample with a 95% interval");
        routes.MapGet("/api/v1/campaigns/{campaignId}/audience", EstimateStoredAsync).WithTags("campaigns").RequireAuthorization(ApiRoles.CampaignPolicy)
            .WithSummary("The audience estimate of a stored campaign");
        return routes;
    }

    /// <summary>
    /// The problems of <paramref name="definition"/> that matter to an estimate, each naming its JSON field: <c>id</c>
    /// (arms are assigned by it), <c>audience.*</c>, <c>arms</c> (names and weights) and <c>controlShare</c>; the rest
    /// of a draft (name, offer, validity…) may still be missing. <paramref name="tiers"/> are the programme's tier names:
    /// an <c>audience.tiers[i]</c> outside them is refused as <c>POST /campaigns</c> refuses it (it would select nobody).
    /// </summary>
    public static IReadOnlyList<CampaignFieldError> Validate(CampaignDefinition? definition, IReadOnlyCollection<string> tiers) =>
        [.. CampaignDefinitions.Validate(definition, tiers).Where(e => e.Field is "body" or "id" or "controlShare" or "arms"
            || e.Field.StartsWith("audience", StringComparison.Ordinal)
            || (e.Field.StartsWith("arms[", StringComparison.Ordinal) && !e.Field.Contains(".offer", StringComparison.Ordinal)))];

    private static async Task<IResult> EstimateAsync(
        [FromBody] CampaignDefinition? definition, AudienceEstimator estimator, IOptions<ProgramOptions> programme, CancellationToken cancellationToken)
    {
        var problems = Validate(definition, programme.Value.Tiers.Keys);
        if (problems.Count > 0)
        {
            var errors = new FieldErrors();
            foreach (var p in problems)
            {
                errors.Add(p.Field, p.Message);
            }

            return errors.ToProblem();
        }

        return Results.Ok(await estimator.EstimateAsync(definition!, cancellationToken));
    }

    private static async Task<IResult> EstimateStoredAsync(string campaignId, IGrainFactory grains, AudienceEstimator estimator, CancellationToken cancellationToken)
    {
        if (!CampaignDefinitions.IsValidId(campaignId))
        {
            return FieldErrors.Problem("campaignId", "1–64 characters of A–Z a–z 0–9 _ - .");
        }

        var status = await grains.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        return status is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"No campaign '{campaignId}'.")
            : Results.Ok(await estimator.EstimateAsync(status.Definition, cancellationToken));
    }

    /// <summary>Registers <see cref="AudienceEstimator"/> with <see cref="AudienceOptions"/> from <c>Engagement:Api:Audience</c> (validated at start).</summary>
    public static IServiceCollection AddEngagementAudience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AudienceOptions>()
            .Bind(configuration.GetSection(AudienceOptions.SectionName))
            .Validate(o => o.MaxRowsRead is >= 1_000 and <= 1_000_000, "Engagement:Api:Audience:MaxRowsRead must be 1,000–1,000,000")
            .Validate(o => o.PageSize is >= 1 and <= 1_000, "Engagement:Api:Audience:PageSize must be 1–1,000")
            .Validate(o => o.ShardConcurrency is >= 1 and <= 16, "Engagement:Api:Audience:ShardConcurrency must be 1–16")
            .ValidateOnStart();
        services.AddSingleton<AudienceEstimator>();
        return services;
    }
}
