using Engagement.Contracts.Members;

namespace Engagement.Grains.Ports;

/// <summary>
/// Append-only full history of a member's ledger. The grain keeps only recent entries; this holds all.
/// Appends are idempotent by (memberId, sequence): writing the same entry twice leaves one row.
/// </summary>
public interface ILedgerArchive
{
    Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default);

    /// <summary>Entries with sequence &lt; <paramref name="before"/> (all when null), newest first, optionally one kind only.</summary>
    Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default);
}
