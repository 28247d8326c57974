using System.Collections.Concurrent;
using Engagement.Contracts.Reports;

namespace Engagement.Grains.Ports;

/// <summary>Lifecycle journal in process memory: for grain tests and the benchmark's in-memory scenario.</summary>
public sealed class InMemoryLifecycleJournal : ILifecycleJournal
{
    private readonly ConcurrentDictionary<(string MemberId, string Key), LifecycleJournalEntry> _entries = new();

    public Task AppendAsync(string memberId, IReadOnlyList<LifecycleJournalEntry> entries, CancellationToken cancellationToken = default)
    {
        foreach (var entry in entries)
        {
            _entries[(memberId, entry.Key)] = entry;
        }

        return Task.CompletedTask;
    }

    public Task<WinBackReport> ReportAsync(DateOnly from, DateOnly to, TimeZoneInfo zone, CancellationToken cancellationToken = default)
    {
        var rows = _entries.Values
            .Where(e => LifecycleJournalEntry.LocalDay(e.At, zone) is var day && day >= from && day <= to)
            .Select(e => (e.Kind, e.Level));
        return Task.FromResult(LifecycleJournalEntry.Summarize(from, to, rows));
    }
}
