using System.Collections.Concurrent;
using Engagement.Contracts.Campaigns;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>
/// Loses the answer of a campaign's <see cref="ICampaignGrain.RequestGrantAsync"/> for chosen members: the campaign runs
/// the call (and may count and hold the grant), then the caller gets a <see cref="TimeoutException"/>, as when a reply is
/// lost between silos. Releases can be made to fail too.
/// Installed as an outgoing grain call filter; off unless a test arms it for its own member.
/// </summary>
public sealed class LostReplies
{
    private readonly ConcurrentDictionary<string, int> _armed = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Func<string, Exception>> _faults = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="count"/> grant requests of <paramref name="memberId"/> lose their answers.</summary>
    public void LoseGrantAnswers(string memberId, int count = 1) => _armed[memberId] = count;

    /// <summary>
    /// As <see cref="LoseGrantAnswers(string, int)"/>, the caller seeing what <paramref name="fault"/> makes of the
    /// description instead of a <see cref="TimeoutException"/>: a <see cref="TaskCanceledException"/> is how a callee's
    /// Azure SDK timeout crosses a grain call (it is not wrapped, as grain-state storage failures are).
    /// </summary>
    public void LoseGrantAnswers(string memberId, Func<string, Exception> fault)
    {
        _faults[memberId] = fault;
        LoseGrantAnswers(memberId);
    }

    private readonly ConcurrentDictionary<string, bool> _unreleasable = new(StringComparer.Ordinal);

    /// <summary>While on, <see cref="ICampaignGrain.ReleasePendingGrantAsync"/> for <paramref name="memberId"/> fails before it reaches the campaign.</summary>
    public void FailReleases(string memberId, bool on) => _unreleasable[memberId] = on;

    /// <summary>The filter: runs the call, then throws when the member's answer is to be lost.</summary>
    public async Task FilterAsync(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.MethodName == nameof(ICampaignGrain.ReleasePendingGrantAsync)
            && context.Request.GetArgument(0) is string releasing && _unreleasable.TryGetValue(releasing, out var failing) && failing)
        {
            throw new TimeoutException($"the release for {releasing} did not reach the campaign (test)");
        }

        // The request is recycled once answered: its argument is read before.
        var asking = context.MethodName == nameof(ICampaignGrain.RequestGrantAsync) ? context.Request.GetArgument(0) as string : null;
        await context.Invoke();
        if (asking is { } memberId
            && _armed.TryGetValue(memberId, out var left) && left > 0
            && _armed.TryUpdate(memberId, left - 1, left))
        {
            var what = $"the answer to {memberId}'s grant request was lost (test)";
            throw _faults.TryRemove(memberId, out var fault) ? fault(what) : new TimeoutException(what);
        }
    }
}
