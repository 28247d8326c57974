using System.Globalization;
using System.Security.Claims;
using Engagement.Api.Security;
using Engagement.Contracts.Audit;

namespace Engagement.Api.Support;

/// <summary>
/// Writes one staff action to the audit trail (CONTRACT.md §4, <c>GET /audit</c>: who = the key's name and role, when,
/// what, reason) the way every audited endpoint does: after the action succeeded or was replayed, under an audit id
/// that a retry of the same action computes again, so a retry writes a missing row and never a second one.
/// </summary>
public static class StaffAudit
{
    /// <summary>Lines of a count write shown in one audit row's detail; the rest are counted.</summary>
    public const int MaxDetailLines = 20;

    /// <summary>
    /// <c>S001 → 5, S002 → 0</c>: what a stock or inventory write set (store or sku → units), the first
    /// <see cref="MaxDetailLines"/> of them and how many more, so a 1,000-line write stays a readable row.
    /// </summary>
    /// <param name="counts">Each name with the units it was set to.</param>
    public static string DescribeCounts(IEnumerable<(string Name, long Units)> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var all = counts.ToList();
        var shown = string.Join(", ", all.Take(MaxDetailLines).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} → {c.Units}")));
        return all.Count > MaxDetailLines ? string.Create(CultureInfo.InvariantCulture, $"{shown} and {all.Count - MaxDetailLines} more") : shown;
    }

    /// <summary>
    /// Appends the action (<see cref="IAuditLog.AppendAsync"/>, idempotent by <paramref name="auditId"/>) at
    /// <paramref name="time"/>'s now (UTC). Throws when the audit cannot be written: the caller's request then fails, and
    /// its retry (replayed by the action's own idempotency) writes the row.
    /// </summary>
    /// <param name="audit">The audit trail.</param>
    /// <param name="time">The clock the instant is read from.</param>
    /// <param name="user">The caller; its key's name is the actor, its role the role.</param>
    /// <param name="auditId">Deterministic for a retried action, e.g. <c>coupon.issue|{memberId}|{grantId}</c>.</param>
    /// <param name="action">The action id, e.g. <c>catalogue.put</c>.</param>
    /// <param name="target">What it acted on (a member, reward or campaign id).</param>
    /// <param name="detail">What changed, for people.</param>
    /// <param name="reason">Why, as the person wrote it; empty when the action takes none.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public static Task RecordAsync(
        this IAuditLog audit, TimeProvider time, ClaimsPrincipal user, string auditId, string action, string target, string detail, string reason = "",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(user);
        return audit.AppendAsync(
            new AuditEntry
            {
                AuditId = auditId,
                At = time.GetUtcNow(),
                Actor = ApiKeyIdentity.NameOf(user),
                Role = ApiKeyIdentity.RoleOf(user),
                Action = action,
                Target = target,
                Detail = detail,
                Reason = reason,
            },
            cancellationToken);
    }
}
