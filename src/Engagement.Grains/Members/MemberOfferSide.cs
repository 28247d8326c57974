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
/// The member's offers: coupons (<see cref="ICouponHolder"/>, CONTRACT.md §2.1, §4) and benefits in use
/// (<see cref="IBenefitHolder"/>). Every rule is the domain's (<see cref="MemberCoupons"/>, <see cref="CouponReissues"/>,
/// <see cref="BenefitUses"/>, <see cref="CouponEventStep"/>); this runs them on the member's one-write path (the gate's
/// change, one write, then the outbox: the code's directory row, confirmation touches), and gives the grain the offer
/// steps of an event and of a tick, which ride on that step's write. One per activation.
/// </summary>
/// <param name="member">The activation.</param>
/// <param name="gate">The activation's write gate.</param>
/// <param name="wakeUps">The activation's reminder, moved to the next coupon instant.</param>
/// <param name="grains">Where the stock of goods-tied coupons is looked up (<see cref="CouponStock"/>).</param>
internal sealed class MemberOfferSide(MemberActivation member, MemberWriteGate gate, MemberWakeUps wakeUps, IGrainFactory grains)
{
    private ILogger Logger => member.Logger;

    private MemberState Member => member.Member;

    private string MemberId => member.MemberId;

    private OffersOptions Offers => member.Offers;

    /// <summary>
    /// Issues a coupon of <paramref name="grant"/>'s offer; invalid fields are answered, not thrown (CONTRACT.md §2.1). A
    /// coupon tied to skus none of which is in stock near the member is answered <see cref="CouponIssueResult.OutOfStock"/>
    /// unless the grant says <see cref="CouponGrant.IgnoreStock"/>; a retry of a grant already issued is its duplicate.
    /// The stock is looked up before the member's change, never inside it: a stock grain that fails or times out fails
    /// this call (the API's 503) without leaving the member's memory ahead of storage.
    /// </summary>
    public async Task<CouponIssueResult> IssueAsync(CouponGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var template = grant.ToTemplate();
        var errors = template.Validate().Select(e => new OfferFieldError(e.Field, e.Message)).ToList();
        if (!RequestIds.IsValid(grant.GrantId))
        {
            errors.Add(new("grantId", RequestIds.Rule));
        }

        if (errors.Count > 0)
        {
            return new CouponIssueResult { Status = CouponIssueResult.Invalid, Errors = errors, Detail = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")) };
        }

        var skus = template.Scope.Skus;
        await gate.EnsureCurrentAsync();
        var inStock = grant.IgnoreStock || !member.Exists || !GoodsTiedCoupons.NeedsStock(Member, skus, grant.GrantId, Offers)
            || await CouponStock.InStockNearAsync(grains, Member, member.Now, skus);
        return await gate.ChangeAsync(async () =>
        {
            if (!member.Exists)
            {
                return new CouponIssueResult { Status = CouponIssueResult.Refused, Detail = "member has never been seen" };
            }

            if (!Offers.CanIssue)
            {
                return new CouponIssueResult { Status = CouponIssueResult.Refused, Detail = $"{OffersOptions.SectionName}:CouponSecret is not set: coupons cannot be issued" };
            }

            var now = member.Now;
            if (!inStock && GoodsTiedCoupons.NeedsStock(Member, skus, grant.GrantId, Offers))
            {
                return new CouponIssueResult
                {
                    Status = CouponIssueResult.OutOfStock,
                    Detail = $"None of the skus {string.Join(", ", skus)} is in stock near member {MemberId} ({GoodsTiedCoupons.NearMember(Member, now)}): "
                        + "no coupon was issued. Send ignoreStock: true to issue it anyway.",
                };
            }

            var outcome = await CouponStepAsync("ci:" + grant.GrantId, now, () => MemberCoupons.Issue(Member, template, grant.GrantId, Offers, member.Options, now, grant.IgnoreStock && skus.Count > 0));
            var reply = outcome.Reply;
            if (reply.Status == CouponIssueStatus.Issued && Logger.IsEnabled(LogLevel.Information))
            {
                Logger.LogCouponIssued(MemberId, CouponCodes.Tail(reply.Coupon!.Code), reply.Coupon.Kind, reply.Coupon.OfferId, reply.Coupon.ValidUntil);
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
                StockCheckSkipped = reply.Coupon?.StockUnchecked == true,
            };
        });
    }

    /// <summary>The member's coupons as of now, newest first.</summary>
    public async Task<IReadOnlyList<CouponView>> CouponsAsync()
    {
        await gate.EnsureCurrentAsync();
        return [.. MemberCoupons.BookAsOf(Member, member.Now).Coupons.Reverse().Select(c => c.ToView(MemberId))];
    }

    /// <summary>One coupon by its code as of now; null when the member has none with it.</summary>
    public async Task<CouponView?> CouponAsync(string code)
    {
        await gate.EnsureCurrentAsync();
        return MemberCoupons.BookAsOf(Member, member.Now).Find(code)?.ToView(MemberId);
    }

    /// <summary>
    /// Redeems a coupon at a store (CONTRACT.md §4); a refusal is answered with its reason. The order's region is
    /// <see cref="CouponRedeemRequest.RegionId"/> alone (null: not known, so a region-scoped coupon is refused
    /// <c>wrong_store</c>). A refusal whose note storage refuses on its ETag (a silo handover: this copy may be stale) is
    /// decided once more on the state read again from storage (one extra read); if that write fails too, the refusal is
    /// still answered and the note not stored.
    /// </summary>
    public Task<CouponRedeemResult> RedeemAsync(string code, CouponRedeemRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return gate.ChangeAsync(async () =>
        {
            var now = member.Now;
            // The region is the store's (or, for a store that never reported one, the till's; CouponEndpoints), never the
            // member's home region: a member of east is not at an east store. None known: a region-scoped coupon is refused.
            var order = new CouponOrder(request.OrderAmount, request.StoreId, request.RegionId,
                request.Items?.Select(i => new CouponOrderItem(i.Sku, i.Category, CouponOrderLine.Amount(i.Quantity, i.UnitPrice))).ToList());
            MemberOutcome<CouponRedeemOutcome>? decided = null;
            var codeTail = CouponCodes.Tail(code); // all a log shows of a code: a full one is worth its value at a till
            var failedWrites = gate.FailedWrites;
            try
            {
                try
                {
                    await CouponStepAsync("cr:" + request.RedemptionId, now, () => decided = MemberCoupons.Redeem(Member, code, request.RedemptionId, order, member.Options, now));
                }
                catch (Exception ex) when (decided?.Reply is { Accepted: false } && gate.FailedWrites != failedWrites && MemberLog.IsETagConflict(ex))
                {
                    // The refusal's note was refused on its ETag: another activation wrote the member since this one read it (a
                    // silo handover), so the refusal may be a stale copy's. Decided once more on what storage holds (one read).
                    await gate.ReadAfterRefusedWriteAsync();
                    decided = null;
                    failedWrites = gate.FailedWrites;
                    await CouponStepAsync("cr:" + request.RedemptionId, now, () => decided = MemberCoupons.Redeem(Member, code, request.RedemptionId, order, member.Options, now));
                }
            }
            catch (Exception ex) when (decided?.Reply is { Accepted: false } && gate.FailedWrites != failedWrites
                && Engagement.Contracts.Storage.StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // Only a failed state write (which the gate counted) is swallowed: the gate reloads before anyone reads, so the
                // history never shows the unsaved note; the till is still told why, not a 503. Anything else (the reminder
                // table failing before the write) propagates: the change is discarded and the till gets a 503 to retry.
                Logger.LogCouponRefusalNotStored(ex, MemberId, codeTail, request.RedemptionId);
            }

            var reply = decided!.Reply;
            if (reply is { Accepted: true, Replayed: false })
            {
                Logger.LogCouponRedeemed(MemberId, reply.Coupon!.OfferId, request.StoreId, request.RedemptionId);
            }
            else if (reply.Refusal is { } refusal)
            {
                Logger.LogCouponRedeemRefused(MemberId, codeTail, request.StoreId, refusal.Reason, request.RedemptionId);
            }

            return new CouponRedeemResult
            {
                Accepted = reply.Accepted,
                Reason = reply.Refusal?.Reason,
                Field = reply.Refusal?.Field,
                Detail = reply.Refusal?.Detail ?? reply.ReplayDetail ?? reply.Coupon!.StatusReason,
                Discount = reply.Discount,
                Replayed = reply.Replayed,
                Coupon = reply.Coupon?.ToView(MemberId),
                Redemption = reply is { Accepted: true, Redemption: { } made, Coupon: { } held } ? new CouponRedemptionView
                {
                    RedemptionId = made.RedemptionId, StoreId = made.StoreId, OrderId = CouponReplays.OrderOf(held, made),
                    OrderAmount = made.OrderAmount, Discount = made.Discount, At = made.At.ToUniversalTime(),
                } : null,
                CouponChangedSince = reply is { Replayed: true, Redemption: { } replayed, Coupon: { } current } && !CouponReplays.StillHolds(current, replayed),
            };
        });
    }

    /// <summary>A support agent's coupon reissue (<see cref="CouponReissues"/>), counted like the other coupon commands.</summary>
    public Task<CouponReissueResult> ReissueAsync(string code, CouponReissueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return gate.ChangeAsync(async () =>
        {
            if (!member.Exists)
            {
                return new CouponReissueResult { Status = CouponReissueResult.NotFound, Reason = CouponRefusals.NotFound, Detail = "member has never been seen" };
            }

            if (!Offers.CanIssue)
            {
                return new CouponReissueResult { Status = CouponReissueResult.Refused, Reason = "not_configured", Detail = $"{OffersOptions.SectionName}:CouponSecret is not set: coupons cannot be issued" };
            }

            var now = member.Now;
            var outcome = await CouponStepAsync(CouponReissues.OutcomePrefix + request.ReissueId, now,
                () => CouponReissues.Reissue(Member, code, request.ReissueId, request.Actor, request.Reason, Offers, member.Options, now));
            var reply = outcome.Reply;
            if (reply is { Accepted: true, Replayed: false })
            {
                Logger.LogCouponReissued(MemberId, reply.New!.OfferId, request.Actor, request.ReissueId);
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

    /// <summary>A priority booking (<see cref="BenefitUses.BookPriority"/>); a refusal is answered with its reason.</summary>
    public Task<PriorityBookingResult> BookPriorityAsync(PriorityBookingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return gate.ChangeAsync(async () =>
        {
            if (!member.Exists)
            {
                return new PriorityBookingResult { Status = PriorityBookingResult.NotFound, Detail = "member has never been seen" };
            }

            var now = member.Now;
            var command = new PriorityBookingCommand(request.BookingId, request.StoreId, request.SlotStart ?? default, request.Note);
            var outcome = BenefitUses.BookPriority(Member, command, Offers, member.Options, now);
            await gate.CommitAsync(outcome.StateChanged);
            var reply = outcome.Reply;
            if (outcome.StateChanged)
            {
                Logger.LogPriorityBooked(MemberId, request.BookingId, request.StoreId, command.SlotStart);
            }

            return new PriorityBookingResult
            {
                Status = reply.Accepted ? (reply.Replayed ? PriorityBookingResult.Replayed : PriorityBookingResult.Booked) : PriorityBookingResult.Refused,
                Reason = reply.Reason,
                Detail = reply.Detail,
                Booking = reply.Use is { } use ? ToView(use) : null,
            };
        });
    }

    /// <summary>An accepted points or catalogue redemption sends the <c>redemption_confirmation</c> service touch (CONTRACT.md §2.1); in memory only.</summary>
    public async Task ConfirmRedemptionAsync(RedemptionRequest request, RedemptionDecision decision, DateTimeOffset now)
    {
        if (decision.Status != Domain.Points.RedemptionStatuses.Accepted || decision.Replayed)
        {
            return;
        }

        var offer = request.RewardId is { } reward
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"catalogue:{reward};points:{request.Points};cash:{request.CashAmount ?? 0m:0.00}")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"points:{request.Points};cash:{request.CashAmount ?? 0m:0.00}");
        MemberCoupons.ConfirmationTouch(Member, (request.RewardId is null ? "points:" : "catalogue:") + request.RedemptionId, offer, null, member.Options, now);
        await wakeUps.WakeAtAsync(TouchGovernor.NextDeferredAt(Member), now);
    }

    /// <summary>
    /// The offer step of an applied event (<see cref="CouponEventStep"/>: a purchase's <c>coupons</c>, a full refund's restore;
    /// advisors due); <paramref name="held"/>: the refunds held for its order before it applied. In memory only, the caller
    /// writes. Changed: whether it changed the member; Refused: the purchase's coupons that were not applied (logged with
    /// their codes masked; the caller gets them in full, it sent them).
    /// </summary>
    public (bool Changed, IReadOnlyList<CouponEventRefusal> Refused) ApplyEventStep(MemberEvent evt, IReadOnlyList<HeldRefund>? held, DateTimeOffset now)
    {
        var from = Member.NextSequence;
        var outcome = CouponEventStep.Apply(Member, evt, held, Offers, member.Options, member.Metrics, now);
        foreach (var refusal in outcome.Reply)
        {
            Logger.LogCouponRefused(MemberId, evt.EventId, refusal.Masked);
        }

        // A late purchase used a reissued coupon whose replacement was redeemed as well (CouponReissues.AfterLateUse).
        foreach (var twice in MemberMetricsPolicy.EntriesSince(Member, from).Where(e => e.RuleId == CouponReissues.DoubleUseRule))
        {
            Logger.LogCouponUsedTwice(MemberId, evt.EventId, twice.Reason);
        }

        return (AssignAdvisors(now).StateChanged | outcome.StateChanged, outcome.Reply);
    }

    /// <summary>The offer step of a tick (coupon expiry on its instant, reminders, forgetting old spent coupons; advisors due); in memory only.</summary>
    public MemberOutcome<IReadOnlyList<Coupon>> TickStep(DateTimeOffset now)
    {
        var coupons = MemberCoupons.Tick(Member, Offers, member.Options, now);
        var advisors = AssignAdvisors(now);
        return advisors.StateChanged ? coupons with { StateChanged = true, NextDueAt = Earliest(coupons.NextDueAt, advisors.NextDueAt) } : coupons;
    }

    /// <summary>The win-back L1 gift and the birthday coupon become coupons once their touches are decided sent, at once or when a waiting one goes out (<see cref="OfferFulfilment.ForTouch"/>).</summary>
    public Func<TouchRequest, TouchRequest> FulfilTouch(DateTimeOffset now) =>
        request => OfferFulfilment.ForTouch(Member, request, Offers, member.Options, now);

    /// <summary>When the coupon side next needs the member awake (UTC): a deferred confirmation touch, a reminder or an expiry.</summary>
    public DateTimeOffset? NextDue(DateTimeOffset now) =>
        Earliest(TouchGovernor.NextDeferredAt(Member), MemberCoupons.Book(Member).NextDueAfter(now, Offers.ExpiryReminderDays));

    /// <summary>The live view with the member's coupons (as of <paramref name="now"/>) and benefit grants, newest first.</summary>
    public MemberView WithOffers(MemberView view, DateTimeOffset now) => view with
    {
        Coupons = [.. MemberCoupons.BookAsOf(Member, now).Coupons.Reverse().Select(c => c.ToView(MemberId))],
        BenefitGrants = [.. (Member.Offers?.BenefitUses ?? []).AsEnumerable().Reverse().Select(ToView)],
    };

    /// <summary>The earlier of two instants; null only when both are.</summary>
    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

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
            MemberMetricsPolicy.RecordStep(Member, metricsBefore, new(outcomeId, now), member.Options, member.Metrics, now);
            await wakeUps.WakeAtAsync(NextDue(now), now);
        }

        await gate.CommitAsync(outcome.StateChanged);
        return outcome;
    }

    /// <summary>Advisor assignments due after an event or a tick (in memory only; the caller writes).</summary>
    private MemberOutcome<IReadOnlyList<BenefitUse>> AssignAdvisors(DateTimeOffset now)
    {
        var outcome = BenefitUses.AssignAdvisorsDue(Member, Offers, member.Options, now);
        foreach (var use in outcome.Reply)
        {
            Logger.LogAdvisorAssigned(MemberId, use.UseId, use.Detail);
        }

        return outcome;
    }

    private static BenefitGrantView ToView(BenefitUse u) =>
        new() { UseId = u.UseId, Code = u.Code, Kind = u.Kind, At = u.At, Detail = u.Detail, StoreId = u.StoreId, SlotStart = u.SlotStart };
}
