using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>
/// Stock of one reward at one store (see <see cref="IRewardStockGrain"/>): non-reentrant, so takes run one at a time,
/// each durable before it is answered; the rules are <see cref="RewardStock"/>'s.
/// </summary>
public sealed partial class RewardStockGrain(
    [PersistentState("reward-stock", GrainStorageNames.State)] IPersistentState<OfferState<RewardStock>> state,
    IOptions<OffersOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<RewardStockGrain> logger)
    : Grain, IRewardStockGrain
{
    private string? _key;

    private RewardStock Stock => state.State.Value;

    private string Key => _key ??= this.GetPrimaryKeyString();

    public async Task<StockView> SetAvailableAsync(long available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        var next = Stock.SetAvailable(available, time.GetUtcNow());
        if (!ReferenceEquals(next, Stock))
        {
            await state.SaveAsync(next, this);
            LogSet(logger, Key, available);
        }

        return View();
    }

    public async Task<StockTakeResult> TakeAsync(string redemptionId, string memberId)
    {
        ArgumentException.ThrowIfNullOrEmpty(redemptionId);
        var (next, status) = Stock.Take(redemptionId, memberId, time.GetUtcNow(), options.Value.MaxStockRedemptionsKept);
        if (!ReferenceEquals(next, Stock))
        {
            await state.SaveAsync(next, this);
        }

        return new StockTakeResult
        {
            Status = status switch
            {
                StockTakeStatus.Taken => StockTakeResult.Taken,
                StockTakeStatus.Replayed => StockTakeResult.Replayed,
                StockTakeStatus.ReleasedBefore => StockTakeResult.ReleasedBefore,
                StockTakeStatus.OtherMember => StockTakeResult.OtherMember,
                _ => StockTakeResult.OutOfStock,
            },
            Stock = View(),
        };
    }

    public async Task<StockView> ConfirmAsync(string redemptionId)
    {
        var next = Stock.Confirm(redemptionId, time.GetUtcNow());
        if (!ReferenceEquals(next, Stock))
        {
            await state.SaveAsync(next, this);
        }

        return View();
    }

    public async Task<StockView> ReleaseAsync(string redemptionId)
    {
        var next = Stock.Release(redemptionId, time.GetUtcNow());
        if (!ReferenceEquals(next, Stock))
        {
            await state.SaveAsync(next, this);
            LogReleased(logger, redemptionId, Key);
        }

        return View();
    }

    public Task<StockView> GetAsync() => Task.FromResult(View());

    private StockView View()
    {
        var key = Key;
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return new StockView
        {
            RewardId = bar < 0 ? key : key[..bar],
            StoreId = bar < 0 ? "" : key[(bar + 1)..],
            Available = Stock.Available,
            Held = Stock.Held,
            Redeemed = Stock.Redeemed,
            SetAt = Stock.SetAt,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock {StockKey} set to {Available} available")]
    private static partial void LogSet(ILogger logger, string stockKey, long available);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redemption {RedemptionId} released its unit of {StockKey}: the member side refused")]
    private static partial void LogReleased(ILogger logger, string redemptionId, string stockKey);
}
