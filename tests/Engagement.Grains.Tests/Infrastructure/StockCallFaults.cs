using System.Collections.Concurrent;
using Engagement.Contracts.Offers;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>
/// Breaks the stock look-up a member makes of a chosen store (<see cref="IStoreInventoryGrain.HasAnyAsync"/>, by store
/// id): the call throws what a test chooses (as a storage timeout's <see cref="TaskCanceledException"/> inside the stock
/// grain reaches its caller), or never answers until released. Installed as an outgoing grain call filter; off unless a
/// test arms it for a store of its own.
/// </summary>
public sealed class StockCallFaults
{
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _throwing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TaskCompletionSource Entered, TaskCompletionSource Released)> _hanging = new(StringComparer.Ordinal);

    /// <summary>From now on, a look-up of <paramref name="storeId"/> throws what <paramref name="exception"/> makes of its description.</summary>
    public void Throw(string storeId, Func<string, Exception> exception) => _throwing[storeId] = exception;

    /// <summary>
    /// From now on, a look-up of <paramref name="storeId"/> does not answer until <see cref="Heal"/>; the task completes
    /// once one such call has started waiting and its caller's turn has yielded to it.
    /// </summary>
    public Task Hang(string storeId)
    {
        var hang = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _hanging[storeId] = hang;
        return hang.Item1.Task;
    }

    /// <summary>Look-ups of <paramref name="storeId"/> work again; a hung one goes on.</summary>
    public void Heal(string storeId)
    {
        _throwing.TryRemove(storeId, out _);
        if (_hanging.TryRemove(storeId, out var hang))
        {
            hang.Released.TrySetResult();
        }
    }

    /// <summary>The filter.</summary>
    public async Task FilterAsync(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.MethodName == nameof(IStoreInventoryGrain.HasAnyAsync) && context.TargetId.Key.ToString() is { } store)
        {
            if (_throwing.TryGetValue(store, out var exception))
            {
                throw exception($"injected fault: the stock look-up of store {store} failed");
            }

            if (_hanging.TryGetValue(store, out var hang))
            {
                // Yield first: the calling grain's turn goes on to wait for this call (arming its look-up timeout on the
                // engine clock) before the test hears the call has started, so a clock move after that reaches the timer.
                await Task.Yield();
                hang.Entered.TrySetResult();
                await hang.Released.Task;
            }
        }

        await context.Invoke();
    }
}
