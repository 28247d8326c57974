using System.Security.Claims;
using Engagement.Api.Support;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Campaigns;

namespace Engagement.Api.Campaigns;

/// <summary>
/// Marketing's manual campaign actions as one application service for the API and the console: trigger, pause and
/// resume, each through <see cref="ICampaignGrain"/> (which decides what is allowed) and recorded in the audit trail
/// (who = the key's name, what, the campaign's progress at that moment).
/// </summary>
public sealed class CampaignCommands(IGrainFactory grains, IAuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Stores a validated definition (<see cref="ICampaignGrain.CreateAsync"/>), lists it, and audits it once as
    /// <c>campaign.create</c> under the campaign id: a retried create (answered <c>exists</c>) writes a row its first
    /// attempt could not, never a second one.
    /// </summary>
    public async Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var result = await grains.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition);
        if (result.Status is CampaignCreateResult.Created or CampaignCreateResult.Exists)
        {
            await grains.GetGrain<ICampaignCatalogGrain>(0).AddAsync(definition.Id);
            var budget = (definition.Budget.MaxGrants, definition.Budget.MaxCost) switch
            {
                (null, null) => "no budget limit",
                (var grants, var cost) => string.Join(", ", new[] { grants is null ? null : $"at most {grants} grants", cost is null ? null : $"at most {cost} CNY" }.OfType<string>()),
            };
            var detail = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{definition.Kind} '{definition.Name}' on {definition.Channel}, offer {definition.Offer?.Kind ?? "none"} {definition.Offer?.Code}, {budget}, {definition.ValidFrom:O} – {definition.ValidUntil:O}");
            await AuditAsync("campaign.create", $"campaign.create|{definition.Id}", definition.Id, detail, user, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Starts a broadcast's fan-out (idempotent); audited once, as <c>campaign.trigger</c> under the campaign id. A retry
    /// (answered <c>already</c>) writes the row again, which the audit keeps once: when the first attempt's audit write
    /// failed (the fan-out started, the caller saw an error), the retry is what records it.
    /// </summary>
    public async Task<CampaignTriggerResult> TriggerAsync(string campaignId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var result = await grains.GetGrain<ICampaignGrain>(campaignId).TriggerAsync();
        if (result.Status is CampaignTriggerResult.Started or CampaignTriggerResult.Already)
        {
            await AuditAsync("campaign.trigger", $"campaign.trigger|{campaignId}", campaignId, "fan-out started", user, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Pauses a campaign (a broadcast stops at the next page boundary). Audited as <c>campaign.pause</c> under the pause's
    /// number, so a retried request (answered <c>already</c>) records the same entry once. Pause n+1 first writes, under
    /// its own id, the resume of pause n when that row is missing (its audit write failed and nobody retried it).
    /// </summary>
    public async Task<CampaignControlResult> PauseAsync(string campaignId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var result = await grains.GetGrain<ICampaignGrain>(campaignId).PauseAsync();
        if (IsAudited(result) && result.Pause > 1)
        {
            await AuditControlAsync("campaign.resume", campaignId, result.Pause - 1, "resumed", result, user, cancellationToken);
        }

        await AuditControlAsync("campaign.pause", campaignId, result, user, cancellationToken);
        return result;
    }

    /// <summary>
    /// Resumes a paused campaign from where it stopped; audited as <c>campaign.resume</c> under the pause's number. It
    /// first writes, under its own id, the pause it ends when that row is missing (the pause's audit write failed and was
    /// not retried: the page was reloaded, or Resume was pressed instead), so every pause keeps its row, once.
    /// </summary>
    public async Task<CampaignControlResult> ResumeAsync(string campaignId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var result = await grains.GetGrain<ICampaignGrain>(campaignId).ResumeAsync();
        if (IsAudited(result))
        {
            await AuditControlAsync("campaign.pause", campaignId, result.Pause, CampaignStatuses.Paused, result, user, cancellationToken);
        }

        await AuditControlAsync("campaign.resume", campaignId, result, user, cancellationToken);
        return result;
    }

    private static bool IsAudited(CampaignControlResult result) =>
        result.Pause > 0 && result.Status is CampaignControlResult.Changed or CampaignControlResult.Already;

    private Task AuditControlAsync(string action, string campaignId, CampaignControlResult result, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        IsAudited(result)
            ? AuditControlAsync(action, campaignId, result.Pause, result.Campaign?.Status, result, user, cancellationToken)
            : Task.CompletedTask;

    // One campaign.pause|… or campaign.resume|… row for pause number `pause`, idempotent by its id (a repeat keeps the first).
    private Task AuditControlAsync(
        string action, string campaignId, long pause, string? status, CampaignControlResult result, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var progress = result.Campaign?.Progress;
        var detail = $"pause {pause}: {status}, {progress?.Reached ?? 0} of {progress?.Total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} reached";
        return AuditAsync(action, $"{action}|{campaignId}|{pause}", campaignId, detail, user, cancellationToken);
    }

    private Task AuditAsync(string action, string auditId, string campaignId, string detail, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        audit.RecordAsync(time, user, auditId, action, campaignId, detail, cancellationToken: cancellationToken);
}
