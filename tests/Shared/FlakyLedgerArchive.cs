using System.Collections.Concurrent;
using Engagement.Contracts.Members;
using Engagement.Grains.Ports;

namespace Engagement.Testing;

/// <summary>
/// A ledger archive whose appends fail for chosen members until healed, as an archive outage would: such a member's
/// outbox backs up past its bound and it refuses changes (<see cref="MemberBacklogException"/>), a campaign's delivery
/// among them. Reads and every other member's appends go to the wrapped archive (an in-memory one in the Grains tests,
/// the host's real table in the Console tests). Shared by the test projects that reference Engagement.Grains (linked from
/// tests/Shared by tests/Directory.Build.props).
/// </summary>
/// <param name="inner">The archive that every read and every append of a member not failing goes to.</param>
public sealed class FlakyLedgerArchive(ILedgerArchive inner) : ILedgerArchive
{
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);

    /// <summary>Appends for <paramref name="memberId"/> fail (an <see cref="IOException"/>) from now on, until <see cref="Heal"/>.</summary>
    public void Fail(string memberId) => _failing[memberId] = true;

    /// <summary>Appends for <paramref name="memberId"/> go to the wrapped archive again.</summary>
    public void Heal(string memberId) => _failing.TryRemove(memberId, out _);

    /// <inheritdoc/>
    public Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default) =>
        _failing.ContainsKey(memberId) ? throw new IOException("the ledger table did not answer") : inner.AppendAsync(memberId, entries, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(memberId, kind, before, limit, cancellationToken);
}
