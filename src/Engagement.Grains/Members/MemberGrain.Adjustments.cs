using Engagement.Contracts.Members;
using Engagement.Domain.Points;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>Manual adjustments: the decision is <see cref="AdjustmentPolicy"/>'s; the grain persists and archives.</summary>
public sealed partial class MemberGrain
{
    public async Task<AdjustmentResult> AdjustAsync(AdjustmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!state.RecordExists)
        {
            return new AdjustmentResult
            {
                AdjustmentId = request.AdjustmentId, Status = AdjustmentResult.UnknownMember, Kind = request.Kind, Delta = request.Delta,
                Detail = "member has never been seen",
            };
        }

        var decision = AdjustmentPolicy.Apply(Member, request.AdjustmentId, request.Kind, request.Delta, request.Reason, _options, time.GetUtcNow());
        if (decision.Status == AdjustmentStatuses.Applied)
        {
            state.State.PendingArchive.AddRange(decision.NewEntries);
            await PersistAsync();
            await EmitPendingEffectsAsync(persistIfChanged: false);
            LogAdjusted(MemberId, request.AdjustmentId, request.Kind, request.Delta, decision.BalanceAfter);
        }

        return new AdjustmentResult
        {
            AdjustmentId = request.AdjustmentId, Status = decision.Status, Kind = request.Kind, Delta = request.Delta,
            BalanceAfter = decision.BalanceAfter, Detail = decision.Detail,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} adjusted by {AdjustmentId}: {Kind} {Delta}, now {Balance}")]
    private partial void LogAdjusted(string memberId, string adjustmentId, string kind, long delta, long balance);
}
