using System.Collections.Concurrent;
using Engagement.Contracts.Members;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>The ledger archive with appends that fail for chosen members until healed.</summary>
public sealed class FlakyLedgerArchive(ILedgerArchive inner) : ILedgerArchive
{
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);

    /// <summary>Appends for <paramref name="memberId"/> fail from now on.</summary>
    public void Fail(string memberId) => _failing[memberId] = true;

    /// <summary>Appends for <paramref name="memberId"/> work again.</summary>
    public void Heal(string memberId) => _failing.TryRemove(memberId, out _);

    public Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default) =>
        _failing.ContainsKey(memberId) ? throw new IOException("the ledger table did not answer") : inner.AppendAsync(memberId, entries, cancellationToken);

    public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(memberId, kind, before, limit, cancellationToken);
}
