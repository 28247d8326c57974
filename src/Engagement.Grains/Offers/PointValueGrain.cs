using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>The point value over time (see <see cref="IPointValueGrain"/>); rules are <see cref="PointValueSchedule"/>'s.</summary>
public sealed partial class PointValueGrain(
    [PersistentState("point-value", GrainStorageNames.State)] IPersistentState<OfferState<PointValueSchedule>> state,
    IOptions<ProgramOptions> program,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<PointValueGrain> logger)
    : Grain, IPointValueGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Before any change the configured value (Engagement:Program:PointValue) is in force.
        if (state.State.Value.Changes.Count == 0)
        {
            state.State.Value = state.State.Value with { BaseValue = program.Value.PointValue };
        }

        return Task.CompletedTask;
    }

    public Task<PointValueView> GetAsync() => Task.FromResult(state.State.Value.ToView(time.GetUtcNow()));

    public Task<decimal> ValueAtAsync(DateTimeOffset at) => Task.FromResult(state.State.Value.ValueAt(at));

    public async Task<PointValueSetResult> SetAsync(PointValueChangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var change = new PointValueChange(request.ChangeId, request.Value, request.EffectiveFrom ?? now, now, request.SetBy, request.Reason);
        var (next, refusal) = state.State.Value.Set(change, now);
        if (refusal is null && !ReferenceEquals(next, state.State.Value))
        {
            await state.SaveAsync(next, this);
            LogChanged(logger, change.Value, change.EffectiveFrom, change.SetBy, change.Reason);
        }

        return new PointValueSetResult { Refusal = refusal, View = state.State.Value.ToView(now) };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Point value set to {Value} CNY from {EffectiveFrom} by {SetBy}: {Reason}")]
    private static partial void LogChanged(ILogger logger, decimal value, DateTimeOffset effectiveFrom, string setBy, string reason);
}
