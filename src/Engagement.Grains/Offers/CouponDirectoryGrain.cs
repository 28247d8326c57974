using Engagement.Contracts.Offers;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Offers;

/// <summary>Code → member (see <see cref="ICouponDirectoryGrain"/>); one small row per coupon code.</summary>
public sealed partial class CouponDirectoryGrain(
    [PersistentState("coupon-code", GrainStorageNames.State)] IPersistentState<CouponDirectoryState> state,
    ILogger<CouponDirectoryGrain> logger)
    : Grain, ICouponDirectoryGrain
{
    public async Task<bool> RegisterAsync(string memberId)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        if (state.State.MemberId is { } holder)
        {
            if (string.Equals(holder, memberId, StringComparison.Ordinal))
            {
                return true;
            }

            LogCollision(logger, this.GetPrimaryKeyString(), holder, memberId);
            return false;
        }

        state.State.MemberId = memberId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.MemberId = null;
            DeactivateOnIdle();
            throw;
        }

        return true;
    }

    public Task<string?> FindMemberAsync() => Task.FromResult(state.State.MemberId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Coupon code {Code} of {Holder} was derived again for {MemberId}: refused (change nothing; report it)")]
    private static partial void LogCollision(ILogger logger, string code, string holder, string memberId);
}

/// <summary>Persisted by <see cref="CouponDirectoryGrain"/>.</summary>
public sealed class CouponDirectoryState
{
    public string? MemberId { get; set; }
}
