using Orleans.Concurrency;

namespace Engagement.Contracts.Reports;

/// <summary>Programme-wide reports read from the journals (stateless; key 0).</summary>
public interface IReportsGrain : IGrainWithIntegerKey
{
    /// <summary>Win-back steps taken between <paramref name="from"/> and <paramref name="to"/> (the programme's local days, Asia/Shanghai unless configured, inclusive; CONTRACT.md §5).</summary>
    [ReadOnly]
    Task<WinBackReport> GetWinBackReportAsync(DateOnly from, DateOnly to);
}
