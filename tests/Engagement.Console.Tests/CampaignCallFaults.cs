using System.Collections.Concurrent;
using Engagement.Contracts.Campaigns;

namespace Engagement.Console.Tests;

/// <summary>
/// Outgoing calls to campaign grains as a test wants them: a campaign shown as running while it is not (so a page
/// keeps polling it) or as ended (its window closed), reads of its status that fail a given number of times (a silo
/// restarting, a timeout), and a trigger whose call or answer times out.
/// </summary>
public sealed class CampaignCallFaults : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>Campaign <paramref name="campaignId"/>'s status reads say <c>running</c> (or, with false, what it is).</summary>
    public void ShowRunning(string campaignId, bool running)
    {
        if (running)
        {
            _running[campaignId] = true;
        }
        else
        {
            _running.TryRemove(campaignId, out _);
        }
    }

    private readonly ConcurrentDictionary<string, bool> _ended = new(StringComparer.Ordinal);

    /// <summary>
    /// Campaign <paramref name="campaignId"/>'s status and results reads say <c>ended</c>, as once its window has closed
    /// (or, with false, what they are): a window cannot be created already over, and the shared clock is not moved.
    /// </summary>
    public void ShowEnded(string campaignId, bool ended)
    {
        if (ended)
        {
            _ended[campaignId] = true;
        }
        else
        {
            _ended.TryRemove(campaignId, out _);
        }
    }

    private readonly ConcurrentDictionary<string, Func<string, Exception>> _faults = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> status reads of <paramref name="campaignId"/> throw.</summary>
    public void FailReads(string campaignId, int times) => _failures[campaignId] = times;

    /// <summary>
    /// As <see cref="FailReads(string, int)"/>, each failure being what <paramref name="fault"/> makes of its description:
    /// a <see cref="TaskCanceledException"/> is how a storage SDK timeout behind the call reaches the page.
    /// </summary>
    public void FailReads(string campaignId, int times, Func<string, Exception> fault)
    {
        _faults[campaignId] = fault;
        FailReads(campaignId, times);
    }

    private readonly ConcurrentDictionary<string, (bool Reached, Func<string, Exception> Fault)> _triggerFaults = new(StringComparer.Ordinal);

    /// <summary>
    /// The next trigger of <paramref name="campaignId"/> throws what <paramref name="fault"/> makes of its description, once:
    /// with <paramref name="reached"/> false before the call reaches the campaign (nothing started), with true after the
    /// campaign answered (it started; its answer timed out on the way back).
    /// </summary>
    public void FailNextTrigger(string campaignId, bool reached, Func<string, Exception> fault) => _triggerFaults[campaignId] = (reached, fault);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InterfaceMethod?.DeclaringType == typeof(ICampaignGrain) && context.MethodName == nameof(ICampaignGrain.TriggerAsync)
            && context.TargetId.Key.ToString() is { } triggered && _triggerFaults.TryRemove(triggered, out var trigger))
        {
            if (trigger.Reached)
            {
                await context.Invoke();
            }

            throw trigger.Fault($"test: the trigger of campaign {triggered} timed out");
        }

        if (context.InterfaceMethod?.DeclaringType == typeof(ICampaignGrain) && context.MethodName == nameof(ICampaignGrain.GetResultsAsync)
            && context.TargetId.Key.ToString() is { } resultsOf && _ended.ContainsKey(resultsOf))
        {
            await context.Invoke();
            if (context.Result is CampaignResults results)
            {
                context.Result = results with { Status = CampaignStatuses.Ended };
            }

            return;
        }

        if (context.InterfaceMethod?.DeclaringType != typeof(ICampaignGrain) || context.MethodName != nameof(ICampaignGrain.GetAsync)
            || context.TargetId.Key.ToString() is not { } campaignId)
        {
            await context.Invoke();
            return;
        }

        if (_failures.TryGetValue(campaignId, out var left) && left > 0 && _failures.TryUpdate(campaignId, left - 1, left))
        {
            var what = $"test: reading campaign {campaignId} timed out";
            throw _faults.TryGetValue(campaignId, out var fault) ? fault(what) : new TimeoutException(what);
        }

        await context.Invoke();
        if (_running.ContainsKey(campaignId) && context.Result is CampaignStatusView view)
        {
            context.Result = view with { Status = CampaignStatuses.Running };
        }
        else if (_ended.ContainsKey(campaignId) && context.Result is CampaignStatusView ended)
        {
            context.Result = ended with { Status = CampaignStatuses.Ended };
        }
    }
}
