using System.Globalization;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Programme;

/// <summary>
/// The programme's value-class thresholds by monetary rank (CONTRACT.md §2), key 0: computed from the monetary
/// histogram gauges of every region, recomputed when older than <see cref="MetricsOptions.ValueClassRefreshHours"/>
/// (at least daily; the alerts reminder also refreshes them). A member reads them at its next call of any kind.
/// </summary>
public interface IValueClassGrain : IGrainWithIntegerKey
{
    /// <summary>The thresholds in force, recomputed first if stale.</summary>
    Task<ValueClassThresholds> GetThresholdsAsync();

    /// <summary>Recomputes now.</summary>
    Task<ValueClassThresholds> RefreshAsync();
}

/// <inheritdoc cref="IValueClassGrain"/>
public sealed class ValueClassGrain(
    [PersistentState("valueclass", GrainStorageNames.State)] IPersistentState<ValueClassThresholds> state,
    IOptions<MetricsOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time)
    : Grain, IValueClassGrain
{
    public Task<ValueClassThresholds> GetThresholdsAsync() =>
        state.RecordExists && time.GetUtcNow() - state.State.ComputedAt < TimeSpan.FromHours(options.Value.ValueClassRefreshHours)
            ? Task.FromResult(state.State)
            : RefreshAsync();

    public async Task<ValueClassThresholds> RefreshAsync()
    {
        var gauges = await GrainFactory.GetGrain<IProgrammeMetricsGrain>(0).GetGaugesAsync(null);
        var buckets = new Dictionary<int, long>();
        foreach (var (name, count) in gauges.Values.SelectMany(g => g))
        {
            if (name.StartsWith(GaugeNames.MonetaryPrefix, StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(GaugeNames.MonetaryPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bucket))
            {
                buckets[bucket] = buckets.GetValueOrDefault(bucket) + count;
            }
        }

        var next = ValueClassThresholds.From(buckets, options.Value.ValueClassAShare, options.Value.ValueClassBShare, time.GetUtcNow());
        await state.WriteOrRestoreAsync(next, state.State, DeactivateOnIdle);

        return state.State;
    }
}
