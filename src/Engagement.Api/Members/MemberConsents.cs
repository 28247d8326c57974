using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain;

namespace Engagement.Api.Members;

/// <summary>What a consent change came to: field errors, an unknown member, or the member's view after the change.</summary>
public sealed record ConsentOutcome(FieldErrors? Errors, bool UnknownMember, MemberView? View);

/// <summary>
/// Channel consent changes by staff as one application service for the API (<c>PUT /members/{id}/consent</c>) and the
/// console: validation (channels of CONTRACT.md §1 <c>consent.{sms,push,call,wechat}</c>, a bounded reason), the
/// member grain, and an audit entry <c>member.consent</c> naming who, when, each channel's before → after, and why.
/// Support and admin keys may change consent (the API's <see cref="Support.SupportEndpoints.SupportPolicy"/>).
/// </summary>
public sealed class MemberConsents(IGrainFactory grains, IAuditLog audit, TimeProvider time)
{
    /// <summary>Longest reason kept, in characters.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>
    /// The longest unknown channel name (in Unicode code points, <see cref="EventBounds.CodePoints"/>) an error names as its
    /// field, whole; a longer one is refused under <c>body</c> by its length, never cut.
    /// </summary>
    public const int MaxUnknownChannelEcho = 40;

    /// <summary>What an unknown channel is told.</summary>
    public const string UnknownChannelRule = "unknown channel; use sms, push, call or wechat";

    /// <summary>The audit action of a consent change.</summary>
    public const string AuditAction = "member.consent";

    /// <summary>
    /// Validates and applies <paramref name="consent"/> (channel → allowed) to the member, then records it in the audit
    /// under the instant the member recorded the change (<see cref="MemberView.ConsentChangedAt"/>): a retried or
    /// restating request, which changes none, names the same row, so it is never a second entry and it writes the row
    /// a first attempt whose audit write failed could not. The row is the change as the member kept it: who made it, their
    /// reason and what it did (<see cref="MemberView.ConsentChangedBy"/>, <see cref="MemberView.ConsentChange"/>), also when
    /// the request that writes it late comes from someone else.
    /// A reason is optional (1–<see cref="MaxReasonLength"/> characters when given) unless <paramref name="reasonRequired"/>.
    /// </summary>
    /// <returns>Field errors naming each bad field (<c>memberId</c>, <c>body</c>, the unknown channel whole, or <c>body</c> for
    /// one over <see cref="MaxUnknownChannelEcho"/> characters, <c>reason</c>);
    /// <see cref="ConsentOutcome.UnknownMember"/> when the member was never seen; otherwise the member's new view.</returns>
    public async Task<ConsentOutcome> ChangeAsync(
        string memberId, IReadOnlyDictionary<string, bool>? consent, string? reason, ClaimsPrincipal user, bool reasonRequired = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var errors = Validate(memberId, consent, reason, reasonRequired);
        if (errors.Any)
        {
            return new ConsentOutcome(errors, false, null);
        }

        var caller = new StaffActor { Name = ApiKeyIdentity.NameOf(user), Role = ApiKeyIdentity.RoleOf(user), Reason = reason?.Trim() ?? "" };
        var after = await grains.GetGrain<IMemberGrain>(memberId).SetConsentAsync(consent!, caller);
        if (after is null)
        {
            return new ConsentOutcome(null, true, null);
        }

        if (after.ConsentChangedAt is not { } changedAt)
        {
            // No staff change recorded (a request restating consent only events ever set): no manual action, no row.
            return new ConsentOutcome(null, false, after);
        }

        // Keyed by the instant the member recorded the change, not the request's: a client's retry of a change already
        // made finds nothing to change and names the same row, so it writes the row its first attempt could not (the
        // audit write failed after the consent was stored) and never a second one beside it. Who, why and what are the
        // change's own, kept with it; a change stored before they were kept is named by the caller.
        var maker = after.ConsentChangedBy ?? caller;
        await audit.AppendAsync(new AuditEntry
        {
            AuditId = string.Create(CultureInfo.InvariantCulture, $"consent|{memberId}|{changedAt.UtcTicks}"),
            At = time.GetUtcNow(),
            Actor = maker.Name,
            Role = maker.Role,
            Action = AuditAction,
            Target = memberId,
            Detail = "consent " + (after.ConsentChange ?? DescribeRetry(consent!)),
            Reason = maker.Reason,
        }, cancellationToken);
        return new ConsentOutcome(null, false, after);
    }

    /// <summary><c>sms →no (recorded by a retry)</c>: a change stored before members kept what it did, seen only after it was made.</summary>
    private static string DescribeRetry(IReadOnlyDictionary<string, bool> consent) =>
        string.Join(", ", consent.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} →{(c.Value ? "yes" : "no")}")) + " (recorded by a retry)";

    private static FieldErrors Validate(string memberId, IReadOnlyDictionary<string, bool>? consent, string? reason, bool reasonRequired)
    {
        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (consent is null || consent.Count == 0)
        {
            errors.Add("body", "a JSON object of channel → true/false is required, e.g. {\"sms\": false}");
        }
        else
        {
            var (overLong, longest) = (0, 0);
            foreach (var channel in consent.Keys.Where(c => !ContactChannels.All.Contains(c)))
            {
                // Named whole, as sent, up to the bound; a longer name is not cut (a cut could split a character and would
                // name a field the caller never sent): it is refused under "body" by its length alone.
                var length = EventBounds.CodePoints(channel);
                if (length <= MaxUnknownChannelEcho)
                {
                    errors.Add(channel, UnknownChannelRule);
                }
                else
                {
                    (overLong, longest) = (overLong + 1, Math.Max(longest, length));
                }
            }

            // One message however many over-long names were sent, so the problem stays bounded.
            if (overLong > 0)
            {
                errors.Add("body", string.Create(CultureInfo.InvariantCulture,
                    $"{overLong} unknown channel name(s) over {MaxUnknownChannelEcho} characters (the longest {longest}, not shown); use sms, push, call or wechat"));
            }
        }

        var trimmed = reason?.Trim() ?? "";
        if ((reasonRequired && trimmed.Length == 0) || trimmed.Length > MaxReasonLength || (reason is not null && reason.Length > 0 && trimmed.Length == 0)
            || !ReasonText.IsClean(reason))
        {
            errors.Add("reason", (reasonRequired ? $"required, 1–{MaxReasonLength} characters" : $"when given, 1–{MaxReasonLength} characters") + ", " + ReasonText.Rule);
        }

        return errors;
    }
}
