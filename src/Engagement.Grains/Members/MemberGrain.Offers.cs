using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Touches;
using Engagement.Grains.Offers;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// The member's coupons (<see cref="ICouponHolder"/>, CONTRACT.md §2.1, §4): every rule is <see cref="MemberCoupons"/>'s,
/// run on the member's one-write path (<see cref="ChangeAsync{T}"/>, one write, then the outbox: the code's directory
/// row, confirmation touches). Also the coupon steps of an event and of a tick.
/// </summary>
public sealed partial class MemberGrain
{
    /// <summary><c>Engagement:Offers</c>; defaults (no coupon secret: nothing is issued) on a silo without the offer side.</summary>
    private OffersOptions Offers => offersOptions.Value;

    public Task<CouponIssueResult> IssueCouponAsync(CouponGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var template = grant.ToTemplate();
        var errors = template.Validate().Select(e => new OfferFieldError(e.Field, e.Message)).ToList();
        if (string.IsNullOrWhiteSpace(grant.GrantId) || grant.GrantId.Length > 128)
        {
            errors.Add(new("grantId", "required, 1–128 characters"));
        }

        if (errors.Count > 0)
        {
            return Task.FromResult(new CouponIssueResult { Status = CouponIssueResult.Invalid, Errors = errors, Detail = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")) });
        }

        return ChangeAsync(async () =>
        {
            if (!state.RecordExists)
            {
                return new CouponIssueResult { Status = CouponIssueResult.Refused, Detail = "member has never been seen" };
            }

            if (!Offers.CanIssue)
            {
                return new CouponIssueResult { Status = CouponIssueResult.Refused, Detail = $"{OffersOptions.SectionName}:CouponSecret is not set: coupons cannot be issued" };
            }

            var now = time.GetUtcNow();
            var outcome = await CouponStepAsync("ci:" + grant.GrantId, now, () => MemberCoupons.Issue(Member, template, grant.GrantId, Offers, _options, now));
            var reply = outcome.Reply;
            if (reply.Status == CouponIssueStatus.Issued)
            {
                LogCouponIssued(MemberId, reply.Coupon!.Code[..4], reply.Coupon.Kind, reply.Coupon.OfferId, reply.Coupon.ValidUntil);
            }

            return new CouponIssueResult
            {
                Status = reply.Status switch
                {
                    CouponIssueStatus.Issued => CouponIssueResult.Issued,
                    CouponIssueStatus.Duplicate => CouponIssueResult.Duplicate,
                    _ => CouponIssueResult.Refused,
                },
                Coupon = reply.Coupon?.ToView(MemberId),
                Detail = reply.Detail,
            };
        });
    }

    public async Task<IReadOnlyList<CouponView>> GetCouponsAsync()
    {
        await EnsureCurrentAsync();
        return [.. MemberCoupons.BookAsOf(Member, time.GetUtcNow()).Coupons.Reverse().Select(c => c.ToView(MemberId))];
    }

    public async Task<CouponView?> GetCouponAsync(string code)
    {
        await EnsureCurrentAsync();
        return MemberCoupons.BookAsOf(Member, time.GetUtcNow()).Find(code)?.ToView(MemberId);
    }

    public Task<CouponRedeemResult> RedeemCouponAsync(string code, CouponRedeemRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(async () =>
        {
            var now = time.GetUtcNow();
            var order = new CouponOrder(request.OrderAmount, request.StoreId, request.RegionId ?? Member.RegionId);
            var outcome = await CouponStepAsync("cr:" + request.RedemptionId, now, () => MemberCoupons.Redeem(Member, code, request.RedemptionId, order, _options, now));
            var reply = outcome.Reply;
            if (reply is { Accepted: true, Replayed: false })
            {
                LogCouponRedeemed(MemberId, reply.Coupon!.OfferId, request.StoreId, request.RedemptionId);
            }

            return new CouponRedeemResult
            {
                Accepted = reply.Accepted,
                Reason = reply.Refusal?.Reason,
                Detail = reply.Refusal?.Detail ?? reply.Coupon!.StatusReason,
                Discount = reply.Discount,
                Replayed = reply.Replayed,
                Coupon = reply.Coupon?.ToView(MemberId),
            };
        });
    }

    /// <summary>An accepted points or catalogue redemption sends the <c>redemption.confirmation</c> service touch (CONTRACT.md §2.1); in memory only.</summary>
    private async Task ConfirmRedemptionAsync(Contracts.Members.RedemptionRequest request, RedemptionDecision decision, DateTimeOffset now)
    {
        if (decision.Status != Domain.Points.RedemptionStatuses.Accepted || decision.Replayed)
        {
            return;
        }

        var offer = request.RewardId is { } reward
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"catalogue:{reward};points:{request.Points};cash:{request.CashAmount ?? 0m:0.00}")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"points:{request.Points};cash:{request.CashAmount ?? 0m:0.00}");
        MemberCoupons.ConfirmationTouch(Member, (request.RewardId is null ? "points:" : "catalogue:") + request.RedemptionId, offer, null, _options, now);
        await WakeAtAsync(TouchGovernor.NextDeferredAt(Member), now);
    }

    /// <summary>
    /// A coupon command on the one-write path: runs <paramref name="step"/>, counts what it wrote as programme metrics
    /// under <paramref name="outcomeId"/>, moves the wake-up to the next coupon instant, then writes once and emits.
    /// </summary>
    private async Task<MemberOutcome<T>> CouponStepAsync<T>(string outcomeId, DateTimeOffset now, Func<MemberOutcome<T>> step)
    {
        var metricsBefore = MemberMetricsPolicy.Before(Member);
        var outcome = step();
        if (outcome.StateChanged)
        {
            MemberMetricsPolicy.RecordStep(Member, metricsBefore, new(outcomeId, now), _options, _metrics, now);
            await WakeAtAsync(NextCouponDue(now), now);
        }

        await CommitAsync(outcome.StateChanged);
        return outcome;
    }

    /// <summary>
    /// The offer step of an applied event (<see cref="CouponEventStep"/>: a purchase's <c>coupons</c>, a full refund's restore;
    /// advisors due); <paramref name="held"/>: the refunds held for its order before it applied. In memory only, the caller writes.
    /// </summary>
    private bool ApplyCouponsOfEvent(MemberEvent evt, IReadOnlyList<HeldRefund>? held, DateTimeOffset now)
    {
        var outcome = CouponEventStep.Apply(Member, evt, held, Offers, _options, _metrics, now);
        foreach (var refusal in outcome.Reply)
        {
            LogCouponRefused(MemberId, evt.EventId, refusal);
        }

        return AssignAdvisors(now).StateChanged | outcome.StateChanged;
    }

    /// <summary>The live view with the member's coupons (as of now) and benefit grants, newest first.</summary>
    private MemberView WithOffers(MemberView view, DateTimeOffset now) => view with
    {
        Coupons = [.. MemberCoupons.BookAsOf(Member, now).Coupons.Reverse().Select(c => c.ToView(MemberId))],
        BenefitGrants = [.. (Member.Offers?.BenefitUses ?? []).AsEnumerable().Reverse()
            .Select(ToView)],
    };

    /// <summary>When the coupon side next needs the member awake: a deferred confirmation touch, a reminder or an expiry.</summary>
    private DateTimeOffset? NextCouponDue(DateTimeOffset now) =>
        Earliest(TouchGovernor.NextDeferredAt(Member), MemberCoupons.Book(Member).NextDueAfter(now, Offers.ExpiryReminderDays));

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The win-back L1 gift and the birthday coupon become coupons once their touches are decided sent or deferred (<see cref="OfferFulfilment.ForTouch"/>).</summary>
    private Func<TouchRequest, TouchRequest> FulfilTouch(DateTimeOffset now) =>
        request => OfferFulfilment.ForTouch(Member, request, Offers, _options, now);

    /// <summary>The offer step of a tick (coupon expiry on its instant, reminders, forgetting old spent coupons; advisors due); in memory only.</summary>
    private MemberOutcome<IReadOnlyList<Coupon>> TickCoupons(DateTimeOffset now)
    {
        var coupons = MemberCoupons.Tick(Member, Offers, _options, now);
        var advisors = AssignAdvisors(now);
        return advisors.StateChanged ? coupons with { StateChanged = true, NextDueAt = Earliest(coupons.NextDueAt, advisors.NextDueAt) } : coupons;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} was issued a {Kind} coupon {CodePrefix}… of offer {OfferId}, valid until {ValidUntil}")]
    private partial void LogCouponIssued(string memberId, string codePrefix, string kind, string offerId, DateTimeOffset validUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed a coupon of offer {OfferId} at {StoreId} (redemption {RedemptionId})")]
    private partial void LogCouponRedeemed(string memberId, string offerId, string storeId, string redemptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event {EventId} names a coupon the member cannot use; the purchase applies without it: {Refusal}")]
    private partial void LogCouponRefused(string memberId, string eventId, string refusal);
}
