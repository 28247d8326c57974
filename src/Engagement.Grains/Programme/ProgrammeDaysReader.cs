using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;

namespace Engagement.Grains.Programme;

/// <summary>
/// <see cref="IProgrammeDaysReader"/> over the merged aggregators (<see cref="IProgrammeMetricsGrain"/>), for the alerts
/// grain and the API's and console's views (registered by <see cref="ProgrammeHostingExtensions.AddEngagementProgrammeOptions"/>).
/// </summary>
public sealed class ProgrammeDaysReader(IGrainFactory grains) : IProgrammeDaysReader
{
    private IProgrammeMetricsGrain Reader => grains.GetGrain<IProgrammeMetricsGrain>(0);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to) =>
        Counters(await Reader.GetDaysAsync(regionId, from, to).ConfigureAwait(false));

    /// <inheritdoc/>
    public async Task<long> MembersAsync(string? regionId) =>
        (await Reader.GetGaugesAsync(regionId).ConfigureAwait(false)).Values.Sum(g => g.GetValueOrDefault(GaugeNames.Members));

    /// <summary>The reader's day records as the domain's counters (day, counters, net revenue in CNY), in their order.</summary>
    public static IReadOnlyList<DayCounters> Counters(IReadOnlyList<CounterDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        return days.Select(d => new DayCounters { Day = d.Day, Counters = d.Counters, Revenue = d.Revenue }).ToList();
    }
}
