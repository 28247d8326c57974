using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Offers;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>A support agent's coupon reissue (<see cref="CouponReissues"/>) on the member's one-write path, counted like the other coupon commands.</summary>
public sealed partial class MemberGrain
{
    /// <inheritdoc />
    public Task<CouponReissueResult> ReissueCouponAsync(string code, CouponReissueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(async () =>
        {
            if (!state.RecordExists)
            {
                return new CouponReissueResult { Status = CouponReissueResult.NotFound, Reason = CouponRefusals.NotFound, Detail = "member has never been seen" };
            }

            if (!Offers.CanIssue)
            {
                return new CouponReissueResult { Status = CouponReissueResult.Refused, Reason = "not_configured", Detail = $"{OffersOptions.SectionName}:CouponSecret is not set: coupons cannot be issued" };
            }

            var now = time.GetUtcNow();
            var outcome = await CouponStepAsync(CouponReissues.OutcomePrefix + request.ReissueId, now,
                () => CouponReissues.Reissue(Member, code, request.ReissueId, request.Actor, request.Reason, Offers, _options, now));
            var reply = outcome.Reply;
            if (reply is { Accepted: true, Replayed: false })
            {
                LogCouponReissued(MemberId, reply.New!.OfferId, request.Actor, request.ReissueId);
            }

            return new CouponReissueResult
            {
                Status = reply.Refusal?.Reason switch
                {
                    null => reply.Replayed ? CouponReissueResult.Replayed : CouponReissueResult.Reissued,
                    CouponRefusals.NotFound => CouponReissueResult.NotFound,
                    _ => CouponReissueResult.Refused,
                },
                Reason = reply.Refusal?.Reason,
                Detail = reply.Refusal?.Detail ?? reply.New!.StatusReason,
                Old = reply.Old?.ToView(MemberId),
                Coupon = reply.New?.ToView(MemberId),
            };
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: a coupon of offer {OfferId} was reissued by {Actor} (reissue {ReissueId})")]
    private partial void LogCouponReissued(string memberId, string offerId, string actor, string reissueId);
}
