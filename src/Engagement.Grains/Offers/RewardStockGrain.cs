using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>
/// Stock of one reward at one store (see <see cref="IRewardStockGrain"/>): non-reentrant, so takes run one at a time,
/// each durable before it is answered; the rules are <see cref="RewardStock"/>'s. While a unit is held, a reminder
/// (every <see cref="OffersOptions.StockHoldMinutes"/>) settles the holds their redemption left behind
/// (<see cref="SettleStaleHoldsAsync"/>); it is dropped once none is held.
/// </summary>
public sealed partial class RewardStockGrain(
    [PersistentState("reward-stock", GrainStorageNames.State)] IPersistentState<OfferState<RewardStock>> state,
    IOptions<OffersOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<RewardStockGrain> logger)
    : Grain, IRewardStockGrain, IRemindable
{
    /// <summary>The reminder that settles stale holds.</summary>
    public const string SettleReminder = "settle-stale-holds";

    private string? _key;

    /// <summary>This activation registered <see cref="SettleReminder"/> (or found units held when it started).</summary>
    private bool _settling;

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
        var (next, status) = Stock.Take(redemptionId, memberId, time.GetUtcNow(), options.Value.StockRedemptionsKept);
        if (!ReferenceEquals(next, Stock))
        {
            // The reminder before the hold is stored: a hold is never stored without one to settle it.
            await EnsureSettlingAsync();
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
                StockTakeStatus.Forgotten => StockTakeResult.Forgotten,
                _ => StockTakeResult.OutOfStock,
            },
            Stock = View(),
        };
    }

    public async Task<StockConfirmResult> ConfirmAsync(string redemptionId)
    {
        var (next, status) = Stock.ConfirmHold(redemptionId, time.GetUtcNow());
        if (!ReferenceEquals(next, Stock))
        {
            await state.SaveAsync(next, this);
        }

        return new StockConfirmResult
        {
            Status = status switch
            {
                StockConfirmStatus.Confirmed => StockConfirmResult.Confirmed,
                StockConfirmStatus.AlreadyConfirmed => StockConfirmResult.AlreadyConfirmed,
                StockConfirmStatus.Reclaimed => StockConfirmResult.Reclaimed,
                StockConfirmStatus.Lost => StockConfirmResult.Lost,
                _ => StockConfirmResult.Unknown,
            },
            Stock = View(),
        };
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

    /// <summary>
    /// A counter that holds units when it activates (held before this version settled them, or an activation that
    /// failed after its take) registers the reminder too: an out-of-stock counter takes nothing, so only this starts it.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (Stock.Held > 0)
        {
            await EnsureSettlingAsync();
        }
    }

    /// <summary>Registers the settling reminder once per activation (it outlives the activation; dropped when nothing is held).</summary>
    private async Task EnsureSettlingAsync()
    {
        if (!_settling)
        {
            var period = TimeSpan.FromMinutes(options.Value.StockHoldMinutes);
            await this.RegisterOrUpdateReminder(SettleReminder, period, period);
            _settling = true;
        }
    }

    public async Task<int> SettleStaleHoldsAsync()
    {
        var now = time.GetUtcNow();
        var stale = Stock.StaleHolds(now.AddMinutes(-options.Value.StockHoldMinutes));
        if (stale.Count == 0)
        {
            return 0;
        }

        // Every answer first, then one write: the member side is asked, never charged (an unknown redemption was not).
        var view = View();
        var next = Stock;
        foreach (var (redemptionId, memberId) in stale)
        {
            var accepted = await GrainFactory.GetGrain<IMemberGrain>(memberId).HasAcceptedRedemptionAsync(redemptionId, view.RewardId, view.StoreId);
            next = accepted ? next.Confirm(redemptionId, now) : next.Release(redemptionId, now);
            LogSettled(logger, redemptionId, memberId, Key, options.Value.StockHoldMinutes, accepted ? "confirmed: the member had paid" : "released: the member had not paid");
        }

        await state.SaveAsync(next, this);
        return stale.Count;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != SettleReminder)
        {
            return;
        }

        await SettleStaleHoldsAsync();
        if (Stock.Held == 0)
        {
            if (await this.GetReminder(SettleReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _settling = false;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redemption {RedemptionId} of member {MemberId} held a unit of {StockKey} for over {Minutes} minutes without confirming or releasing it; {Outcome}")]
    private static partial void LogSettled(ILogger logger, string redemptionId, string memberId, string stockKey, int minutes, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redemption {RedemptionId} released its unit of {StockKey}: the member side refused")]
    private static partial void LogReleased(ILogger logger, string redemptionId, string stockKey);
}
