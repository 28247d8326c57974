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
/// Today's member side: <see cref="IMemberGrain.RedeemAsync"/>, which already spends points oldest lot first,
/// refuses a negative balance and is idempotent by redemptionId.
/// TODO(integrator, issue 11): pass <c>pointValue</c> into the member's redemption (the ledger reason and
/// <c>pointsValue</c> still use the configured <c>Engagement:Program:PointValue</c>), record the reward and store on the
/// ledger entry, and send the <c>redemption_confirmation</c> service touch from the member's outbox.
/// </summary>
public sealed class MemberGrainRewardPointsSide(IGrainFactory grains) : IRewardPointsSide
{
    public Task<RedemptionResult> PayAsync(string memberId, RedemptionRequest request, decimal pointValue) =>
        grains.GetGrain<IMemberGrain>(memberId).RedeemAsync(request);
}
