using Orleans.Concurrency;

namespace Engagement.Contracts.Reports;

/// <summary>Programme-wide reports read from the journals (stateless; key 0).</summary>
public interface IReportsGrain : IGrainWithIntegerKey
{
    /// <summary>Win-back steps taken between <paramref name="from"/> and <paramref name="to"/> (UTC days, inclusive).</summary>
    [ReadOnly]
    Task<WinBackReport> GetWinBackReportAsync(DateOnly from, DateOnly to);
}
