using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// Asks again the members a broadcast's pages found backed up (their outbox past its byte bound, so they refused the
/// delivery before deciding anything), once every shard is done and then on the fan-out reminder's later runs, as the
/// domain's retry rule says (<see cref="BackedUpMembers"/>: bounded list, bounded refusals, until the window ends).
/// One member at a time, paced like the pages. Each retry keeps the page's guarantees: the member's group is its
/// stable assignment (<see cref="CampaignMapping.Plan"/>, the same a page gives it), and a limited budget's grant is
/// reserved and stored ahead (<see cref="BackedUpMembers.InFlight"/>) before the member is called, so a crash cannot
/// free spent budget; a retry a failure interrupted is replayed asking the member only what it already has. Every
/// answer is checkpointed in one state write (counters, held grants, the list).
/// </summary>
/// <param name="campaignId">The campaign.</param>
/// <param name="state">The campaign's state (the grain's, read on each use).</param>
/// <param name="options">The campaign options (the global control share of states stored without one).</param>
/// <param name="deliver">Delivers to a member with the fan-out's timeout retries; null when it refused as backed up.</param>
/// <param name="pacer">The fan-out's pacing (<see cref="CampaignOptions.MaxDeliveriesPerSecond"/>).</param>
/// <param name="saveAsync">Writes the campaign's state (throws when it fails).</param>
/// <param name="whenStored">Runs an action once the change made before it is stored, with the check that finds the change in a reloaded state after an ambiguous write (<see cref="StateWriteGate.WhenStored"/>).</param>
/// <param name="time">The engine clock (UTC).</param>
/// <param name="logger">The campaign grain's logger.</param>
internal sealed class BackedUpRetries(
    string campaignId,
    Func<CampaignGrainState> state,
    CampaignOptions options,
    Func<string, CampaignDelivery, Task<CampaignDeliveryResult?>> deliver,
    DeliveryPacer pacer,
    Func<Task> saveAsync,
    Action<Action, Func<bool>> whenStored,
    TimeProvider time,
    ILogger logger)
{
    private CampaignGrainState Campaign => state();

    /// <summary>The campaign's list; only read once a page has made it (<see cref="RunDueAsync"/> and <see cref="EndAsync"/> return first without one).</summary>
    private BackedUpMembers BackedUp => Campaign.BackedUp!;

    /// <summary>A new retry may be delivered now: the broadcast is running inside its window (<see cref="CampaignPauseRule.RetryMayDeliver"/>).</summary>
    private bool MayDeliver => CampaignPauseRule.RetryMayDeliver(CampaignMapping.ToPhase(Campaign.Status), Campaign.Definition!.ValidUntil, time.GetUtcNow());

    /// <summary>
    /// Replays a retry a failure interrupted, then asks every member whose retry is due now (engine clock), while the
    /// campaign runs inside its window. Returns true when no member waits any more (the fan-out may complete). Throws
    /// on a failed write or a delivery that kept failing; the fan-out reminder runs it again (replaying the one in flight).
    /// </summary>
    public async Task<bool> RunDueAsync(CancellationToken cancellationToken)
    {
        if (Campaign.BackedUp is null)
        {
            return true;
        }

        if (BackedUp.InFlight is { } interrupted)
        {
            await AskAsync(interrupted, repeatOnly: true, cancellationToken);
        }

        foreach (var memberId in BackedUp.Due(time.GetUtcNow(), BackedUpMembers.MaxWaiting))
        {
            if (!MayDeliver)
            {
                break;
            }

            await AskAsync(memberId, repeatOnly: false, cancellationToken);
        }

        if (!BackedUp.Settled)
        {
            CampaignLog.BackedUpWaiting(logger, campaignId, BackedUp.Waiting.Count, BackedUp.NextAttemptAt);
        }

        return BackedUp.Settled;
    }

    /// <summary>
    /// The window is over: a retry a failure interrupted is asked only what the member already has (and counted if it
    /// has it), and every member still waiting is given up. The caller's write stores it with the ended status.
    /// </summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        if (Campaign.BackedUp is null)
        {
            return;
        }

        if (BackedUp.InFlight is { } interrupted)
        {
            await AskAsync(interrupted, repeatOnly: true, cancellationToken);
        }

        BackedUp.GiveUpAll();
    }

    /// <summary>
    /// One retry of <paramref name="memberId"/>, checkpointed. With a limited budget a spent budget (or an arm whose
    /// offer no longer fits) counts it budget-skipped, as a page does; otherwise an arm member's grant is written ahead.
    /// <paramref name="repeatOnly"/>: the interrupted retry's replay (nothing new is decided; a member that has nothing
    /// stays waiting, due at once).
    /// </summary>
    private async Task AskAsync(string memberId, bool repeatOnly, CancellationToken cancellationToken)
    {
        var definition = Campaign.Definition!;
        var planned = CampaignMapping.Plan(definition, memberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent));
        var limit = CampaignMapping.ToLimit(definition.Budget);
        var refusals = BackedUp.Waiting.Find(m => m.MemberId == memberId)?.Refusals ?? 0;
        var tally = new PageTally();
        if (repeatOnly)
        {
            planned.Reserved = planned.IsArm && BackedUp.InFlightGrants > 0;
        }
        else if (limit.Limited)
        {
            var held = Campaign.Held();
            if (BudgetReservation.Spent(limit, held, definition.Arms.Select(a => CampaignMapping.UnitCostOf(definition, a.Name)))
                || (planned.IsArm && !BudgetReservation.Fits(limit, held, 1, planned.UnitCost)))
            {
                // The budget is spent: skipped as a page skips (processed, counted in budgetSkipped).
                tally.Skipped();
                await CheckpointAsync(memberId, tally, refusals, "budget skipped");
                return;
            }

            if (planned.IsArm)
            {
                planned.Reserved = true;
                BackedUp.SetInFlight(memberId, new BudgetHeld(1, planned.UnitCost));
                await saveAsync();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        await pacer.PaceAsync(cancellationToken);
        if (!repeatOnly && !MayDeliver)
        {
            // Paused (or the window ended) while this retry waited for its pace: nothing is handed out, the grant
            // reserved for it goes back, and the member keeps waiting (due at once on a resume).
            if (BackedUp.InFlight is not null)
            {
                BackedUp.SetInFlight(null);
                await saveAsync();
            }

            return;
        }

        var result = await deliver(memberId, CampaignMapping.DeliveryFor(definition, planned) with { RepeatOnly = repeatOnly });
        if (result is null || (repeatOnly && !result.Repeat))
        {
            // Refused again (never for a replay, which decides nothing), or the replayed member has nothing: its grant goes back.
            BackedUp.SetInFlight(null);
            if (result is null && !BackedUp.RefusedAgain(memberId, time.GetUtcNow()))
            {
                // Logged once stored: a failed write is not logged as a give-up the replay may not repeat. Given-up
                // counts only grow and a given-up member never waits again: a reload holding both holds this give-up.
                var givenUp = BackedUp.GivenUp;
                whenStored(
                    () => CampaignLog.BackedUpGivenUp(logger, campaignId, memberId, refusals + 1),
                    () => Campaign.BackedUp is { } b && b.GivenUp >= givenUp && !b.Waiting.Exists(m => m.MemberId == memberId));
            }

            await saveAsync();
            return;
        }

        CampaignMapping.Count(tally, planned, definition, result);
        await CheckpointAsync(memberId, tally, refusals, result.Outcome ?? "held");
    }

    /// <summary>Counts <paramref name="tally"/>, takes the member off the list as reached later, clears the in-flight grant (now held if kept), and writes.</summary>
    private async Task CheckpointAsync(string memberId, PageTally tally, int refusals, string outcome)
    {
        Campaign.Add(tally);
        BackedUp.Reached(memberId);
        BackedUp.SetInFlight(null);
        // Reached-later counts only grow: a reload holding this total with the member off the list holds this retry.
        var reachedLater = BackedUp.ReachedLater;
        whenStored(
            () => CampaignLog.BackedUpReached(logger, campaignId, memberId, refusals, outcome),
            () => Campaign.BackedUp is { } b && b.ReachedLater >= reachedLater && !b.Waiting.Exists(m => m.MemberId == memberId));
        await saveAsync();
    }
}
