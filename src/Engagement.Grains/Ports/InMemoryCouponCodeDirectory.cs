using System.Collections.Concurrent;

namespace Engagement.Grains.Ports;

/// <summary>Coupon code directory in process memory: for grain tests, the benchmark's in-memory scenarios and demos.</summary>
public sealed class InMemoryCouponCodeDirectory : ICouponCodeDirectory
{
    private readonly ConcurrentDictionary<string, string> _holders = new(StringComparer.Ordinal);

    /// <summary>Codes registered (for tests and the benchmark: every coupon stored once).</summary>
    public int Count => _holders.Count;

    public Task<string> RegisterAsync(string code, string memberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        return Task.FromResult(_holders.GetOrAdd(code, memberId));
    }

    public Task<string?> FindMemberAsync(string code, CancellationToken cancellationToken = default) =>
        Task.FromResult(_holders.TryGetValue(code, out var holder) ? holder : null);
}
