using System.Buffers.Binary;
using Engagement.Domain.Members;

namespace Engagement.Domain.Offers;

/// <summary>
/// What the member keeps of the refusal notes pushed out of the newest <see cref="Coupon.MaxRefusals"/> per coupon and
/// <see cref="Coupon.MaxRefusalsPerMember"/> per member (docs/offers.md step 5, "once per redemptionId"): a 4-byte
/// little-endian fingerprint of each (<see cref="MemberOfferState.ForgottenRefusals"/>, the newest
/// <see cref="MemberOfferState.MaxForgottenRefusals"/>), so a till replaying such a redemptionId is told no again without
/// its note being stored again (and pushing a newer one out). Part of <see cref="MemberCoupons.Redeem"/>.
/// </summary>
internal static class RefusalMemory
{
    /// <summary>True when the note of <paramref name="redemptionId"/> on coupon <paramref name="code"/> was kept once and pushed out since.</summary>
    internal static bool WasForgotten(MemberState state, string code, string redemptionId)
    {
        if (state.Offers?.ForgottenRefusals is not { Length: >= 4 } prints)
        {
            return false;
        }

        var print = Print(code, redemptionId);
        for (var i = 0; i + 4 <= prints.Length; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(prints.AsSpan(i, 4)) == print)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Remembers the notes of <paramref name="before"/> (and <paramref name="added"/> on <paramref name="code"/>) that
    /// <paramref name="after"/> no longer keeps, oldest fingerprints forgotten beyond the cap.
    /// </summary>
    internal static void RememberDropped(MemberState state, CouponBook before, string code, CouponRefusalNote added, CouponBook after)
    {
        var kept = new HashSet<(string, string)>(after.Coupons.SelectMany(c => (c.Refusals ?? []).Select(n => (c.Code, n.RedemptionId))));
        var dropped = before.Coupons.Where(c => c.Refusals is { Count: > 0 })
            .SelectMany(c => c.Refusals!.Select(n => (c.Code, n.RedemptionId)))
            .Append((code, added.RedemptionId))
            .Where(k => !kept.Contains(k))
            .ToList();
        if (dropped.Count == 0)
        {
            return;
        }

        var offers = MemberCoupons.OffersOf(state);
        var prints = new List<byte>(offers.ForgottenRefusals ?? []); // a stored null: none remembered yet
        Span<byte> bytes = stackalloc byte[4];
        foreach (var (c, id) in dropped)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, Print(c, id)); // little-endian on any machine: the stored format
            prints.AddRange(bytes);
        }

        var over = Math.Max(0, prints.Count - (MemberOfferState.MaxForgottenRefusals * 4));
        offers.ForgottenRefusals = [.. prints.Skip(over)];
    }

    private static uint Print(string code, string redemptionId) => RewardStock.Fingerprint(code + "\u001F" + redemptionId);
}
