using System.Collections.Concurrent;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>The in-memory coupon code directory with registrations that fail a set number of times for chosen members.</summary>
public sealed class FlakyCouponDirectory(ICouponCodeDirectory inner) : ICouponCodeDirectory
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> registrations for <paramref name="memberId"/> throw.</summary>
    public void FailNext(string memberId, int times) => _failures[memberId] = times;

    public Task<string> RegisterAsync(string code, string memberId, CancellationToken cancellationToken = default)
    {
        if (_failures.TryGetValue(memberId, out var left) && left > 0 && _failures.TryUpdate(memberId, left - 1, left))
        {
            throw new IOException("the coupon directory table did not answer");
        }

        return inner.RegisterAsync(code, memberId, cancellationToken);
    }

    public Task<string?> FindMemberAsync(string code, CancellationToken cancellationToken = default) => inner.FindMemberAsync(code, cancellationToken);
}
