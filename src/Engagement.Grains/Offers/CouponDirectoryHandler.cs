using Engagement.Domain.Offers;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Offers;

/// <summary>
/// A newly issued coupon's code to the directory (code → member, <see cref="ICouponCodeDirectory"/>), after the member's
/// state write: one insert-only row per code, straight to its table (no grain activation and state read per code, which
/// cost a coupon campaign half its fan-out rate). Idempotent: registering the same member again is a no-op. A code
/// another member holds (never expected: 80-bit codes) is logged and confirmed: retrying cannot change it.
/// </summary>
public sealed partial class CouponDirectoryHandler(ICouponCodeDirectory directory, ILogger<CouponDirectoryHandler> logger) : MemberEffectHandler<RegisterCouponCode>
{
    /// <summary>Before the touches (and everything else): a touch naming a code waits until the code is registered.</summary>
    public override int EmitOrder => -1;

    protected override async Task<int> EmitAsync(string memberId, List<RegisterCouponCode> effects)
    {
        var done = 0;
        foreach (var effect in effects)
        {
            try
            {
                var holder = await directory.RegisterAsync(effect.Code, memberId);
                if (!string.Equals(holder, memberId, StringComparison.Ordinal))
                {
                    LogNotRegistered(memberId, CouponCodes.Tail(effect.Code));
                }
            }
            catch (Exception) when (done > 0)
            {
                return done;
            }

            done++;
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{MemberId}: coupon code {CodeTail} is registered to another member; not resolvable by code for this one")]
    private partial void LogNotRegistered(string memberId, string codeTail);
}
