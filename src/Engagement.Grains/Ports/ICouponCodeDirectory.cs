namespace Engagement.Grains.Ports;

/// <summary>
/// The programme-wide coupon code directory (CONTRACT.md §2.1, §4): code → memberId, one row per code, written once when
/// the coupon is issued (from the member's outbox, after its state write) so <c>GET /coupons/{code}</c> finds the member
/// without a scan. Registration is insert-only and idempotent: registering a code again for its holder changes nothing,
/// and a code another member holds (never expected: 80-bit codes) is never overwritten.
/// </summary>
public interface ICouponCodeDirectory
{
    /// <summary>
    /// Records that <paramref name="memberId"/> holds <paramref name="code"/> (normalised) unless a holder is recorded;
    /// returns the holder after the call: <paramref name="memberId"/>, or the other member that held the code already.
    /// Throws when storage cannot be reached (the caller retries: the member's outbox keeps the effect).
    /// </summary>
    Task<string> RegisterAsync(string code, string memberId, CancellationToken cancellationToken = default);

    /// <summary>The member holding <paramref name="code"/> (normalised), or null.</summary>
    Task<string?> FindMemberAsync(string code, CancellationToken cancellationToken = default);
}
