using Engagement.Contracts.Reports;
using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Reports;

/// <summary>Reads reports from the journals; stateless, so every silo serves them locally.</summary>
[StatelessWorker]
public sealed class ReportsGrain(ILifecycleJournal journal, IOptions<MetricsOptions> metrics) : Grain, IReportsGrain
{
    /// <summary>Days are the programme's local days (<see cref="MetricsOptions.TimeZone"/>), as in programme health.</summary>
    public Task<WinBackReport> GetWinBackReportAsync(DateOnly from, DateOnly to) =>
        journal.ReportAsync(from, to, metrics.Value.ZoneOf(MetricsOptions.DefaultRegion));
}
