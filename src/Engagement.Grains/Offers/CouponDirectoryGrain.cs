using Engagement.Contracts.Offers;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Engagement.Grains.Offers;

/// <summary>
/// Code → member (see <see cref="ICouponDirectoryGrain"/>) over the directory's own rows (<see cref="ICouponCodeDirectory"/>):
/// it keeps nothing itself, so any silo answers for any code.
/// </summary>
[StatelessWorker]
public sealed partial class CouponDirectoryGrain(ICouponCodeDirectory directory, ILogger<CouponDirectoryGrain> logger) : Grain, ICouponDirectoryGrain
{
    public async Task<bool> RegisterAsync(string memberId)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        var code = this.GetPrimaryKeyString();
        var holder = await directory.RegisterAsync(code, memberId);
        if (string.Equals(holder, memberId, StringComparison.Ordinal))
        {
            return true;
        }

        LogCollision(logger, code, holder, memberId);
        return false;
    }

    public Task<string?> FindMemberAsync() => directory.FindMemberAsync(this.GetPrimaryKeyString());

    [LoggerMessage(Level = LogLevel.Error, Message = "Coupon code {Code} of {Holder} was derived again for {MemberId}: refused (change nothing; report it)")]
    private static partial void LogCollision(ILogger logger, string code, string holder, string memberId);
}
