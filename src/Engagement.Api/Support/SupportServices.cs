using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Audience;
using Engagement.Api.Campaigns;
using Engagement.Api.Members;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Contracts.Search;
using Engagement.Contracts.Storage;
using Engagement.Domain;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Support;

/// <summary>Limits on manual adjustments, bound from <c>Engagement:Api:Adjustments</c>.</summary>
public sealed class AdjustmentOptions
{
    public const string SectionName = "Engagement:Api:Adjustments";

    /// <summary>
    /// Support's limit per member, per kind (points or growth) and per programme-local day, in points or growth value: the
    /// |delta| of its applied adjustments that day sum to at most this; beyond it needs admin (HTTP 403 naming the limit
    /// and what support already adjusted that day, <see cref="SupportDeskLimit"/>). The one limit: a single adjustment
    /// above it is past the day's total as well. Default 1,000.
    /// </summary>
    public long SupportLimit { get; set; } = 1_000;
}

/// <summary>What an adjustment request came to: field errors, a refusal by role, or the member's answer.</summary>
public sealed record AdjustmentOutcome(FieldErrors? Errors, string? Forbidden, AdjustmentResult? Result)
{
    /// <summary>
    /// True when <see cref="Forbidden"/> is support repeating an adjustment an admin made (only an admin replays it; the API
    /// answers 403 with <c>reason</c> <c>made_by_admin</c>), not support's daily limit.
    /// </summary>
    public bool MadeByAdmin { get; init; }

    /// <summary>
    /// When <see cref="Forbidden"/> is support's daily limit: the limit and the day's use it was judged on (the API answers
    /// 403 with <c>reason</c> <c>daily_limit</c> and these figures); null otherwise.
    /// </summary>
    public SupportDeskUse? DailyLimit { get; init; }
}

/// <summary>
/// Manual adjustments as one application service for the API and the console: validation, the role limit, the member
/// grain (which applies <see cref="AdjustmentPolicy"/>), and the audit entry.
/// </summary>
public sealed class MemberAdjustments(IGrainFactory grains, IAuditLog audit, TimeProvider time, IOptions<AdjustmentOptions> options)
{
    /// <summary>
    /// The range an adjustment's <c>delta</c> must be in, as its 400 words it (also for a number past a long,
    /// <see cref="Problems.IntegerOverflow"/>): non-zero, at most <see cref="AdjustmentPolicy.MaxDelta"/> either way.
    /// </summary>
    internal static readonly string DeltaRange =
        string.Create(CultureInfo.InvariantCulture, $"must be non-zero and at most {AdjustmentPolicy.MaxDelta:N0} either way");

    public long SupportLimit => options.Value.SupportLimit;

    public async Task<AdjustmentOutcome> AdjustAsync(string memberId, AdjustmentRequest? request, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var errors = Validate(memberId, request);
        if (errors.Any)
        {
            return new AdjustmentOutcome(errors, null, null);
        }

        var role = ApiKeyIdentity.RoleOf(user);
        var caller = new AdjustmentActorView { Name = ApiKeyIdentity.NameOf(user), Role = role };

        // Support's one limit is the daily total per member and kind, kept with the member (SupportDeskLimit), never the
        // body's: a single adjustment above it is past it too, and the 403 names the day's use beside the limit.
        // The reason is masked where it enters (AdjustmentPolicy.KeptReason): the ledger, the answer and the audit hold it so.
        var clean = request! with { Reason = AdjustmentPolicy.KeptReason(request.Reason), DeskLimit = role == ApiRoles.Admin ? null : SupportLimit, By = caller };
        var result = await grains.GetGrain<IMemberGrain>(memberId).AdjustAsync(clean);
        if (result.Status == AdjustmentStatuses.OverDeskLimit)
        {
            var use = result.DeskDay is { } day && result.DeskUsed is { } used
                ? SupportDeskLimit.Refused(clean.Kind, clean.Delta, SupportLimit, used, day, result.DeskTimeZone ?? "")
                : null;
            return new AdjustmentOutcome(null, result.Detail, null) { DailyLimit = use };
        }

        // A replay is answered before the day's total is read (it never counts again), so it names who made the original
        // (kept with the member): only an admin replays an admin's adjustment, which support may not have been able to make
        // at all or today; the audit row a replay writes (the first write failed) names the maker, not whoever repeats it.
        // Made before makers were kept (or forgotten): an adjustment above support's limit can only have been an admin's.
        var madeBy = result.Status == AdjustmentStatuses.Replayed ? result.MadeBy : caller;
        var admins = madeBy?.Role == ApiRoles.Admin || (madeBy is null && (clean.Delta > SupportLimit || -clean.Delta > SupportLimit));
        if (result.Status == AdjustmentStatuses.Replayed && role != ApiRoles.Admin && admins)
        {
            return new AdjustmentOutcome(null, $"adjustment '{clean.AdjustmentId}' ({clean.Kind} {clean.Delta:+#;-#;0}) was made by an admin{(madeBy is null ? "" : $" ({madeBy.Name})")}, and only an admin can replay it", null) { MadeByAdmin = true };
        }

        if (result.Status is AdjustmentStatuses.Applied or AdjustmentStatuses.Replayed)
        {
            var actor = madeBy ?? caller;
            await audit.AppendAsync(new AuditEntry
            {
                AuditId = $"adjustment|{memberId}|{clean.AdjustmentId}",
                At = time.GetUtcNow(),
                Actor = actor.Name,
                Role = actor.Role,
                Action = "member.adjustment",
                Target = memberId,
                Detail = $"{clean.Kind} {clean.Delta:+#;-#;0}",
                Reason = clean.Reason,
            }, cancellationToken);
        }

        return new AdjustmentOutcome(null, null, result);
    }

    private static FieldErrors Validate(string memberId, AdjustmentRequest? request)
    {
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (request is null)
        {
            errors.Add("body", "a JSON object {adjustmentId, kind, delta, reason} is required");
            return errors;
        }

        if (!RequestIds.IsValid(request.AdjustmentId))
        {
            errors.Add("adjustmentId", RequestIds.Rule);
        }
        else if (AdjustmentPolicy.IsEngineAdjustment(request.AdjustmentId))
        {
            errors.Add("adjustmentId", $"must not start with '{AdjustmentPolicy.RedemptionUndoPrefix}' (the engine's own give-back of a redemption)");
        }

        if (request.Kind is not (AdjustmentPolicy.PointsKind or AdjustmentPolicy.GrowthKind))
        {
            errors.Add("kind", "must be points or growth");
        }

        // Compared without Math.Abs, which throws on long.MinValue (a client sending -9223372036854775808 got a 500).
        if (request.Delta is 0 || request.Delta < -AdjustmentPolicy.MaxDelta || request.Delta > AdjustmentPolicy.MaxDelta)
        {
            errors.Add("delta", DeltaRange);
        }

        // Control, bidirectional-override and zero-width characters are no text a person gives as a reason (ReasonText):
        // stored, they went whole into the ledger, the audit and every export of them.
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Trim().Length > AdjustmentPolicy.MaxReasonLength
            || !ReasonText.IsClean(request.Reason))
        {
            errors.Add("reason", $"required, 1–{AdjustmentPolicy.MaxReasonLength} characters (after trimming), {ReasonText.Rule}");
        }

        return errors;
    }
}

/// <summary>A member found by the search, with the phone as the caller's role may see it.</summary>
public sealed record MemberSearchResult(string MemberId, string Phone, string Tier, string MatchedBy);

/// <summary>Member search for support: the index, and the phone masked (<c>138****1234</c>) unless the caller is admin.</summary>
public sealed class MemberDirectory(IMemberSearch search)
{
    public const int MaxLimit = 50;

    /// <summary>
    /// Members whose id starts with <paramref name="query"/> or whose phone matches it (CONTRACT.md §4,
    /// <c>GET /members?query=</c>): for an admin any phone starting with the query's digits (at least 3), for everyone
    /// else only the whole number. When nothing matches, the query as an agent would have meant it is tried once more:
    /// without spaces and in upper case (<c>m000 123</c> finds <c>M000123</c>), so a query that matches costs no extra read.
    /// </summary>
    /// <exception cref="MemberSearchFailedException">The index read failed (told without the query, which may be a phone).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<MemberSearchResult>> SearchAsync(string query, int limit, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var admin = ApiKeyIdentity.RoleOf(user) == ApiRoles.Admin;
        var hits = await SearchIndexAsync(query, limit, cancellationToken);
        var meant = string.Concat(query.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        if (hits.Count == 0 && meant.Length > 0 && meant != query.Trim())
        {
            hits = await SearchIndexAsync(meant, limit, cancellationToken);
        }

        if (!admin)
        {
            hits = [.. hits.Where(h => h.MatchedBy != MemberSearchHit.ByPhone || IsWholeNumber(query, h.Phone) || IsWholeNumber(meant, h.Phone))];
        }

        return [.. hits.Select(h => new MemberSearchResult(h.MemberId, admin ? h.Phone : MaskPhone(h.Phone), h.Tier, h.MatchedBy))];
    }

    // One index read. Its failure is told without the query (MemberSearchFailedException): the query may be a phone
    // number, and whoever logs the exception (the console's search page, the API's problem handlers) would log it with
    // the storage SDK's message, which can carry the request URI and its filter. The caller's own cancellation stays.
    private async Task<IReadOnlyList<MemberSearchHit>> SearchIndexAsync(string query, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await search.SearchAsync(query, Math.Clamp(limit, 1, MaxLimit), cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            throw MemberSearchFailedException.From(ex, query);
        }
    }

    /// <summary>
    /// True when <paramref name="query"/> is the whole of <paramref name="phone"/> (in any of the forms
    /// <see cref="PhoneSearchForms"/> reads as one number), not a prefix of it. Only admins find members by a phone
    /// prefix: a masked phone (<c>138****5678</c>) found by the query <c>1381234</c> would show the digits the mask hides,
    /// and walking prefixes would list every member's number (CONTRACT.md §4: support sees phones masked).
    /// </summary>
    private static bool IsWholeNumber(string query, string phone) =>
        PhoneSearchForms.Of(query) is [var number, ..] && PhoneSearchForms.Of(phone) is [var whole, ..]
        && string.Equals(number, whole, StringComparison.Ordinal);

    /// <summary>
    /// The phone as support sees it (CONTRACT.md §4), hiding at least four characters: from 11 characters on, the
    /// first three and last four are kept (<c>13812341234</c> → <c>138****1234</c>); from 8 to 10, only the last four
    /// (<c>62345678</c> → <c>****5678</c>: keeping three more would show all but one digit); shorter ones become all stars.
    /// A Chinese mobile number written with its country code shows the country code and the national number masked the
    /// same way (<c>+86 138 1234 1234</c>, <c>0086…</c> or <c>86…</c> → <c>+86 138****1234</c>), so support can read
    /// it back to the member as the contract shows it, whatever form it was registered in.
    /// </summary>
    public static string MaskPhone(string phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        if (PhoneSearchForms.Of(phone) is [var national, _, _] && national.Length == PhoneSearchForms.MobileDigits && national[0] == '1')
        {
            var digits = phone.Count(char.IsAsciiDigit);
            var masked = national[..3] + "****" + national[^4..];
            return digits == national.Length ? masked : "+" + PhoneSearchForms.ChinaCode + " " + masked;
        }

        return phone.Length switch
        {
            0 => "",
            < 8 => new string('*', phone.Length),
            < 11 => new string('*', phone.Length - 4) + phone[^4..],
            _ => phone[..3] + "****" + phone[^4..],
        };
    }
}

/// <summary>
/// Campaigns for the console: the list (ids from the catalogue grain, status from each campaign), and create and
/// trigger with the API's validation (<see cref="CampaignDefinitions.Validate"/>) and an audit entry for each.
/// </summary>
public sealed class CampaignCatalogue(IGrainFactory grains, CampaignCommands commands, IOptions<ProgramOptions> programme)
{
    /// <summary>
    /// Validates and stores a definition, audited as <c>campaign.create</c> by <paramref name="user"/>
    /// (<see cref="CampaignCommands.CreateAsync"/>); field errors name the JSON field (e.g. <c>validUntil</c>).
    /// </summary>
    public async Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition, ClaimsPrincipal user)
    {
        var problems = CampaignDefinitions.Validate(definition, programme.Value.Tiers.Keys);
        if (problems.Count > 0)
        {
            return new CampaignCreateResult { Status = CampaignCreateResult.Invalid, Errors = problems };
        }

        return await commands.CreateAsync(definition, user);
    }

    /// <summary>Starts a broadcast's fan-out (idempotent) and records who did (<see cref="CampaignCommands"/>).</summary>
    public Task<CampaignTriggerResult> TriggerAsync(string campaignId, ClaimsPrincipal user) => commands.TriggerAsync(campaignId, user);

    /// <summary>Most ids one read of the catalogue grain returns.</summary>
    private const int CatalogPage = 500;

    /// <summary>
    /// Campaigns newest first, skipping <paramref name="skip"/>. A campaign created between two pages moves every older
    /// one down by one, so a page by skip may repeat the last of the page before; <see cref="ListAfterAsync"/> does not.
    /// </summary>
    public async Task<IReadOnlyList<CampaignStatusView>> ListAsync(int skip, int take) =>
        await ViewsAsync(await grains.GetGrain<ICampaignCatalogGrain>(0).ListAsync(skip, take));

    /// <summary>
    /// At most <paramref name="take"/> (≤ 100) campaigns, newest first, that come after campaign <paramref name="after"/>
    /// (the last one of the page before): a cursor, so campaigns created meanwhile, which come before it, change nothing
    /// and no campaign is listed twice. Null when <paramref name="after"/> is not in the list (unknown, or forgotten
    /// among more than <see cref="ICampaignCatalogGrain.MaxKept"/>).
    /// </summary>
    public async Task<IReadOnlyList<CampaignStatusView>?> ListAfterAsync(string after, int take)
    {
        var catalog = grains.GetGrain<ICampaignCatalogGrain>(0);
        IReadOnlyList<string> page = [];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await PositionOfAsync(catalog, after) is not { } position)
            {
                return null;
            }

            // Read from the cursor itself: campaigns created since the position was found show as the cursor moved on,
            // and the page is found again instead of starting early.
            page = await catalog.ListAsync(position, take + 1);
            if (page.Count > 0 && page[0] == after)
            {
                return await ViewsAsync(page.Skip(1));
            }
        }

        var at = page.ToList().IndexOf(after);
        return at < 0 ? null : await ViewsAsync(page.Skip(at + 1));
    }

    /// <summary>The index of <paramref name="campaignId"/> in the newest-first list; null when it is not there.</summary>
    private static async Task<int?> PositionOfAsync(ICampaignCatalogGrain catalog, string campaignId)
    {
        // Campaigns only ever move down (a new one comes first; the oldest are forgotten from the end), so reading page
        // after page never steps over the one looked for.
        for (var offset = 0; offset < ICampaignCatalogGrain.MaxKept + CatalogPage; offset += CatalogPage)
        {
            var ids = await catalog.ListAsync(offset, CatalogPage);
            for (var i = 0; i < ids.Count; i++)
            {
                if (string.Equals(ids[i], campaignId, StringComparison.Ordinal))
                {
                    return offset + i;
                }
            }

            if (ids.Count < CatalogPage)
            {
                return null;
            }
        }

        return null;
    }

    private async Task<IReadOnlyList<CampaignStatusView>> ViewsAsync(IEnumerable<string> ids)
    {
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICampaignGrain>(id).GetAsync()));
        return [.. views.OfType<CampaignStatusView>()];
    }
}

/// <summary>Registration of the support application services.</summary>
public static class SupportServiceCollectionExtensions
{
    public static IServiceCollection AddEngagementSupportServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdjustmentOptions>()
            .Bind(configuration.GetSection(AdjustmentOptions.SectionName))
            .Validate(o => o.SupportLimit is >= 0 and <= AdjustmentPolicy.MaxDelta, "Engagement:Api:Adjustments:SupportLimit must be 0–1,000,000")
            .ValidateOnStart();
        services.AddSingleton<MemberAdjustments>();
        services.AddSingleton<MemberConsents>();
        services.AddSingleton<MemberCouponReissues>();
        services.AddSingleton<MemberDirectory>();
        services.AddSingleton<CampaignCommands>();
        services.AddSingleton<CampaignCatalogue>();
        services.AddEngagementAudience(configuration);
        return services;
    }
}
