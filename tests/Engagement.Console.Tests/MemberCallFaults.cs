using System.Collections.Concurrent;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;

namespace Engagement.Console.Tests;

/// <summary>
/// Outgoing calls to member grains as a test wants them: a ledger read that fails once (a timeout), the next one or the
/// first after a consent change or a coupon reissue; and the consent changes sent to each member, counted.
/// </summary>
public sealed class MemberCallFaults : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _ledgerFaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _consentCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _couponLookupFaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _ledgerFaultsAfterConsent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _ledgerFaultsAfterReissue = new(StringComparer.Ordinal);

    /// <summary>
    /// The next <see cref="ICouponDirectoryGrain.FindMemberAsync"/> of the (normalized) <paramref name="code"/> throws what
    /// <paramref name="fault"/> makes of its description, once (the coupon directory's storage timing out).
    /// </summary>
    public void FailNextCouponLookup(string code, Func<string, Exception> fault) => _couponLookupFaults[code] = fault;

    /// <summary>How many <see cref="IMemberGrain.SetConsentAsync"/> calls were sent to <paramref name="memberId"/>.</summary>
    public int ConsentCalls(string memberId) => _consentCalls.GetValueOrDefault(memberId);

    /// <summary>
    /// The next ledger read of <paramref name="memberId"/> throws what <paramref name="fault"/> makes of its description,
    /// once: a <see cref="TaskCanceledException"/> is how a storage SDK timeout behind the call reaches the page.
    /// </summary>
    public void FailNextLedgerRead(string memberId, Func<string, Exception> fault) => _ledgerFaults[memberId] = fault;

    /// <summary>
    /// The first ledger read of <paramref name="memberId"/> sent after a consent change to it was answered throws what
    /// <paramref name="fault"/> makes of its description, once: the page's reload after the save, never a read the page
    /// sent for its own opening (armed with <see cref="FailNextLedgerRead"/> as soon as the form shows, the fault took
    /// whichever ledger read came next, and the page's opening reads may still be under way then).
    /// </summary>
    public void FailLedgerReadAfterConsent(string memberId, Func<string, Exception> fault) => _ledgerFaultsAfterConsent[memberId] = fault;

    /// <summary>
    /// As <see cref="FailLedgerReadAfterConsent"/>, after a coupon reissue of <paramref name="memberId"/>
    /// (<see cref="ICouponHolder.ReissueCouponAsync"/>) was answered: the page's reload after the reissue.
    /// </summary>
    public void FailLedgerReadAfterReissue(string memberId, Func<string, Exception> fault) => _ledgerFaultsAfterReissue[memberId] = fault;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InterfaceMethod?.DeclaringType == typeof(IMemberGrain) && context.MethodName == nameof(IMemberGrain.SetConsentAsync))
        {
            var member = context.TargetId.Key.ToString()!;
            _consentCalls.AddOrUpdate(member, 1, (_, n) => n + 1);
            await context.Invoke();

            // Answered: the next ledger read of the member is the one a fault armed for after the change targets.
            if (_ledgerFaultsAfterConsent.TryRemove(member, out var afterConsent))
            {
                _ledgerFaults[member] = afterConsent;
            }

            return;
        }

        if (context.InterfaceMethod?.DeclaringType == typeof(ICouponHolder) && context.MethodName == nameof(ICouponHolder.ReissueCouponAsync)
            && context.TargetId.Key.ToString() is { } reissuedBy && _ledgerFaultsAfterReissue.ContainsKey(reissuedBy))
        {
            await context.Invoke();

            // Answered: the next ledger read of the member is the one a fault armed for after the reissue targets.
            if (_ledgerFaultsAfterReissue.TryRemove(reissuedBy, out var afterReissue))
            {
                _ledgerFaults[reissuedBy] = afterReissue;
            }

            return;
        }

        if (context.InterfaceMethod?.DeclaringType == typeof(ICouponDirectoryGrain) && context.MethodName == nameof(ICouponDirectoryGrain.FindMemberAsync)
            && context.TargetId.Key.ToString() is { } code && _couponLookupFaults.TryRemove(code, out var lookupFault))
        {
            throw lookupFault("test: looking up a coupon code timed out");
        }

        if (context.InterfaceMethod?.DeclaringType == typeof(IMemberGrain) && context.MethodName == nameof(IMemberGrain.GetLedgerAsync)
            && context.TargetId.Key.ToString() is { } memberId && _ledgerFaults.TryRemove(memberId, out var fault))
        {
            throw fault($"test: reading the ledger of member {memberId} timed out");
        }

        await context.Invoke();
    }
}
