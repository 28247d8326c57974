using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Offers;

/// <summary>
/// A newly issued coupon's code to the directory (code → member, <see cref="ICouponDirectoryGrain"/>), after the member's
/// state write: idempotent (registering the same member again is a no-op). A code another member holds (never expected:
/// 80-bit codes) is logged and confirmed: retrying cannot change it.
/// </summary>
public sealed partial class CouponDirectoryHandler(IGrainFactory grains, ILogger<CouponDirectoryHandler> logger) : MemberEffectHandler<RegisterCouponCode>
{
    protected override async Task<int> EmitAsync(string memberId, List<RegisterCouponCode> effects)
    {
        var done = 0;
        foreach (var effect in effects)
        {
            try
            {
                if (!await grains.GetGrain<ICouponDirectoryGrain>(effect.Code).RegisterAsync(memberId))
                {
                    LogNotRegistered(memberId, effect.Code[..4]);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "{MemberId}: coupon code {CodePrefix}… is registered to another member; not resolvable by code for this one")]
    private partial void LogNotRegistered(string memberId, string codePrefix);
}
