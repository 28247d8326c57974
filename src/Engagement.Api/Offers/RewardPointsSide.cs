using Engagement.Contracts.Members;

namespace Engagement.Api.Offers;

/// <summary>
/// INTEGRATION SEAM (issue 11): the member's side of a catalogue redemption, the points (and cash) it pays. The stock side
/// (<see cref="CatalogueRedemptions"/>) takes a unit before calling this and releases it when this refuses.
/// </summary>
public interface IRewardPointsSide
{
    /// <summary>
    /// Charges the member <paramref name="request"/>'s points (idempotent by redemptionId) valued at
    /// <paramref name="pointValue"/> CNY per point (the value in force now, from <c>IPointValueGrain</c>).
    /// </summary>
    Task<RedemptionResult> PayAsync(string memberId, RedemptionRequest request, decimal pointValue);
}

/// <summary>
/// The member side: <see cref="IMemberGrain.RedeemAsync"/>, which spends points oldest lot first, refuses a negative
/// balance, is idempotent by redemptionId, names the reward on its ledger entry and sends the
/// <c>redemption_confirmation</c> service touch through the member's outbox. The response's <c>pointValue</c> and
/// <c>pointsValue</c> and the member's ledger reason are the runtime point value's (the <c>pointValue</c> passed to
/// <see cref="PayAsync"/>, handed to the member as <see cref="RedemptionRequest.PointValue"/>).
/// </summary>
public sealed class MemberGrainRewardPointsSide(IGrainFactory grains) : IRewardPointsSide
{
    public Task<RedemptionResult> PayAsync(string memberId, RedemptionRequest request, decimal pointValue) =>
        grains.GetGrain<IMemberGrain>(memberId).RedeemAsync(request with { PointValue = pointValue });
}
