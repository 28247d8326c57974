using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Domain.Offers;

namespace Engagement.Api.Support;

/// <summary>
/// The audit as a role may read it (CONTRACT.md §4, <c>GET /audit</c> and the console's Audit page): an admin sees each
/// entry as stored; any other role sees every coupon code in it (id, target, detail, reason) as its last 4 characters
/// (<see cref="CouponCodes.Mask"/>): a full code is worth its value at a till. The stored entry is unchanged.
/// </summary>
public static class AuditForRole
{
    /// <summary>The entries as <paramref name="role"/> (<see cref="ApiRoles"/>) may see them, in the same order.</summary>
    public static IReadOnlyList<AuditEntry> Shown(IReadOnlyList<AuditEntry> entries, string? role)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return role == ApiRoles.Admin ? entries : [.. entries.Select(Masked)];
    }

    private static AuditEntry Masked(AuditEntry entry) => entry with
    {
        AuditId = CouponCodes.Mask(entry.AuditId),
        Target = CouponCodes.Mask(entry.Target),
        Detail = CouponCodes.Mask(entry.Detail),
        Reason = CouponCodes.Mask(entry.Reason),
    };
}
