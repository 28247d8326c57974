using Engagement.Contracts.Audit;

namespace Engagement.Api.Tests;

/// <summary>
/// An audit trail whose first write fails (storage unreachable) unless <see cref="FailFirst"/> is false; later writes
/// keep the first row per id, as the real one does. Shared by the tests of actions audited by their retry.
/// </summary>
internal sealed class FailsFirstAuditLog : IAuditLog
{
    private int _calls;

    public bool FailFirst { get; init; } = true;

    public Dictionary<string, AuditEntry> Rows { get; } = new(StringComparer.Ordinal);

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        if (FailFirst && _calls++ == 0)
        {
            throw new IOException("audit table unreachable");
        }

        Rows.TryAdd(entry.AuditId, entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. Rows.Values]);
}
