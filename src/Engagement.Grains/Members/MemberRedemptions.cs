using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Points;

namespace Engagement.Grains.Members;

/// <summary>
/// A member's points redemptions (CONTRACT.md §3) and the "was it paid" question the reward stock settles holds on.
/// A negative answer given from memory alone could be a stale copy's: after a silo handover two activations of the
/// member can briefly coexist (docs/scaling.md "What the logs show on a rolling stop"), and one that read storage before the
/// other's last write would refuse on that older state with no write to catch it. So a refusal, an unknown member or a
/// "not paid" is decided once more on the state read again from storage (<see cref="MemberWriteGate.ReadAgainAsync"/>):
/// one extra storage read per negative answer, none when the first answer is positive or a write of this call failed.
/// </summary>
internal static class MemberRedemptions
{
    /// <summary>
    /// Redeems points (<see cref="MemberDecider.Redeem"/>) inside <paramref name="gate"/>'s change: a refusal
    /// (<c>insufficient_points</c>, <c>negative_balance</c>, <c>invalid</c>) or <c>unknown_member</c> is decided again on
    /// the state storage holds before it is answered; an accepted one confirms its reward and coupon side
    /// (<see cref="MemberOfferSide.ConfirmRedemptionAsync"/>) and is written once. Points are integers, cash CNY.
    /// Throws when storage cannot be read or the write fails.
    /// </summary>
    public static async Task<RedemptionResult> RedeemAsync(MemberActivation member, MemberWriteGate gate, MemberOfferSide offers, RedemptionRequest request)
    {
        var now = member.Now;
        var outcome = Decide();
        if (outcome is not { StateChanged: true } && outcome?.Reply.Status != RedemptionStatus.Accepted && await gate.ReadAgainAsync())
        {
            outcome = Decide();
        }

        if (outcome is null)
        {
            return new RedemptionResult { RedemptionId = request.RedemptionId, Status = RedemptionStatus.UnknownMember, Detail = "member has never been seen" };
        }

        if (outcome.StateChanged)
        {
            await offers.ConfirmRedemptionAsync(request, outcome.Reply, now);
        }

        await gate.CommitAsync(outcome.StateChanged);
        if (outcome.StateChanged)
        {
            member.Logger.LogRedeemed(member.MemberId, request.RedemptionId, request.Points, outcome.Reply.PointsBalance);
        }

        return MemberMapper.ToResult(request.RedemptionId, outcome.Reply);

        MemberOutcome<RedemptionDecision>? Decide() => member.Exists
            ? MemberDecider.Redeem(member.Member, request.RedemptionId, request.Points, request.CashAmount, request.RewardId, member.Options, now, member.Metrics, request.PointValue, request.StoreId)
            : null;
    }

    /// <summary>
    /// True when the member accepted <paramref name="redemptionId"/> for this reward at this store
    /// (<see cref="RedemptionPolicy.Accepted"/>, times UTC). The reward stock releases a held unit on false, so a false is
    /// given only after the state was read again from storage (when nothing unstored would be dropped): a stale "not paid"
    /// would let a paid unit be sold twice. Throws when storage cannot be read.
    /// </summary>
    public static async Task<bool> HasAcceptedAsync(MemberActivation member, MemberWriteGate gate, string redemptionId, string rewardId, string? storeId)
    {
        await gate.EnsureCurrentAsync();
        return Accepted() || (await gate.ReadAgainAsync() && Accepted());

        bool Accepted() => member.Exists && RedemptionPolicy.Accepted(member.Member, redemptionId, rewardId, storeId, member.Now);
    }
}
