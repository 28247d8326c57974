using System.Collections.Concurrent;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;

namespace Engagement.Console.Tests;

/// <summary>
/// Outgoing calls to member grains as a test wants them: a ledger read that fails once (a timeout); and the consent
/// changes sent to each member, counted.
/// </summary>
public sealed class MemberCallFaults : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _ledgerFaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _consentCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _couponLookupFaults = new(StringComparer.Ordinal);

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

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InterfaceMethod?.DeclaringType == typeof(IMemberGrain) && context.MethodName == nameof(IMemberGrain.SetConsentAsync))
        {
            _consentCalls.AddOrUpdate(context.TargetId.Key.ToString()!, 1, (_, n) => n + 1);
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
