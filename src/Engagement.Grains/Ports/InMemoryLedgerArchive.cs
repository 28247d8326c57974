using System.Collections.Concurrent;
using Engagement.Contracts.Members;

namespace Engagement.Grains.Ports;

/// <summary>Ledger archive in process memory: for grain tests, the benchmark's in-memory scenario and demos.</summary>
public sealed class InMemoryLedgerArchive : ILedgerArchive
{
    private readonly ConcurrentDictionary<string, SortedDictionary<long, LedgerEntryView>> _byMember = new(StringComparer.Ordinal);

    public Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default)
    {
        var rows = _byMember.GetOrAdd(memberId, _ => []);
        lock (rows)
        {
            foreach (var entry in entries)
            {
                rows[entry.Sequence] = entry;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default)
    {
        if (!_byMember.TryGetValue(memberId, out var rows))
        {
            return Task.FromResult<IReadOnlyList<LedgerEntryView>>([]);
        }

        lock (rows)
        {
            IReadOnlyList<LedgerEntryView> page = rows.Values
                .Where(e => before is null || e.Sequence < before)
                .Where(e => kind is null || e.Kind == kind)
                .OrderByDescending(e => e.Sequence)
                .Take(limit)
                .ToList();
            return Task.FromResult(page);
        }
    }
}
