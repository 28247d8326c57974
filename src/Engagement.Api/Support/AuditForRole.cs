using Engagement.Api.Security;
using Engagement.Contracts.Audit;
using Engagement.Domain.Offers;

namespace Engagement.Api.Support;

/// <summary>
/// The audit as a role may read it (CONTRACT.md §4, <c>GET /audit</c> and the console's Audit page): an admin sees each
/// entry as stored; any other role sees every coupon code in it as its last 4 characters: a full code is worth its value
/// at a till. The id, target and detail are written by the engine, which writes a code only in its canonical upper-case
/// form (<see cref="CouponCodes.MaskCanonical"/>: a campaign <c>spend-and-get-extra</c> or a member
/// <c>a3f5e8c2d7b94e6f</c> stays as it is); the reason is typed by a person, in any form (<see cref="CouponCodes.Mask"/>).
/// The stored entry is unchanged.
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
        AuditId = CouponCodes.MaskCanonical(entry.AuditId),
        Target = CouponCodes.MaskCanonical(entry.Target),
        Detail = CouponCodes.MaskCanonical(entry.Detail),
        Reason = CouponCodes.Mask(entry.Reason),
    };
}
