using Engagement.Contracts.Reports;
using Engagement.Grains.Ports;
using Orleans.Concurrency;

namespace Engagement.Grains.Reports;

/// <summary>Reads reports from the journals; stateless, so every silo serves them locally.</summary>
[StatelessWorker]
public sealed class ReportsGrain(ILifecycleJournal journal) : Grain, IReportsGrain
{
    public Task<WinBackReport> GetWinBackReportAsync(DateOnly from, DateOnly to) => journal.ReportAsync(from, to);
}
