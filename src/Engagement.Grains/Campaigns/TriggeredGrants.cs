using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// The member-facing calls of a triggered campaign, run on <see cref="CampaignGrain"/>'s scheduler: a grant asked for
/// by a member whose event matched, and the outcome and purchase reports members send back. Each call ends with one
/// state write through the grain's write gate. The rules are the domain's (<see cref="BudgetReservation"/>,
/// <see cref="GroupCounters"/>, <see cref="CampaignMapping.Plan"/>); this class holds the order of the steps.
/// </summary>
/// <remarks>
/// A grant is counted and its budget held when it is given, and stays in <see cref="CampaignGrainState.PendingGrants"/>
/// until the member's first outcome report confirms its state is durable: a member whose write failed asks again and
/// gets the same grant, not a second count. At most <see cref="CampaignOptions.MaxPendingGrants"/> grants are pending at
/// once (<see cref="PendingGrantRule"/>): past it a grant is refused, counting nothing. A grant that does not fit the budget takes the campaign off the registry
/// (<c>setListening(false)</c>); an outcome that releases a grant lists it again. A refusal or a repeated grant decided
/// on the state is answered only once the writes in flight have settled (<c>settledAsync</c>,
/// <see cref="StateWriteGate.SettledAsync"/>): what it was decided on (a pause, a pending grant, a held budget) is then
/// stored, and a failed write fails the call instead.
/// </remarks>
internal sealed class TriggeredGrants(
    Func<CampaignGrainState> state,
    CampaignOptions options,
    TimeProvider time,
    Func<Task> saveAsync,
    Func<Task> settledAsync,
    Func<bool, Task> setListeningAsync)
{
    private CampaignGrainState Campaign => state();

    /// <summary>The grant for <paramref name="memberId"/>: its group, arm and delivery, or group none with the reason.</summary>
    public async Task<CampaignGrant> RequestAsync(string memberId)
    {
        var definition = Campaign.Definition;
        var now = time.GetUtcNow();
        if (definition is null || definition.Kind != CampaignKinds.Triggered || Campaign.Status != CampaignStatuses.Active)
        {
            var reason = Campaign.Status == CampaignStatuses.Paused ? "the campaign is paused" : "not an active triggered campaign";
            return await RefuseAsync(memberId, reason);
        }

        if (now < definition.ValidFrom || now >= definition.ValidUntil)
        {
            return await RefuseAsync(memberId, "outside the campaign's validity");
        }

        var planned = CampaignMapping.Plan(definition, memberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent));
        var admission = PendingGrantRule.Admit(Campaign.PendingGrants, memberId, options.MaxPendingGrants);
        if (admission == PendingGrantAdmission.Repeat)
        {
            // The member's write of this grant failed and it retries: the same grant, already counted and held. Answered
            // only once stored: the first request's write may still be in flight (this call interleaves) and may fail.
            planned.Reserved = planned.IsArm;
            await settledAsync();
            return new CampaignGrant { Group = planned.Group, Arm = planned.Arm, Delivery = CampaignMapping.DeliveryFor(definition, planned) };
        }

        if (admission == PendingGrantAdmission.Full)
        {
            // Bounded state: nothing counted, so audience, budget and results stay exact; confirmations make room again.
            var reason = $"{Campaign.PendingGrants.Count} grants await their members' confirmation (Engagement:Campaigns:MaxPendingGrants); this event fires nothing";
            await settledAsync();
            return new CampaignGrant { Group = CampaignGroups.None, Reason = reason };
        }

        if (planned.IsArm)
        {
            var limit = CampaignMapping.ToLimit(definition.Budget);
            if (!BudgetReservation.Fits(limit, Campaign.Held(), 1, planned.UnitCost))
            {
                // The campaign stops listening only when no arm's grant fits: a cheaper arm may still take what is left.
                if (!BudgetReservation.Spent(limit, Campaign.Held(), definition.Arms.Select(a => CampaignDefinitions.OfferOf(definition, a).UnitCost)))
                {
                    await settledAsync();
                    return new CampaignGrant { Group = CampaignGroups.None, Reason = $"the budget left is less than arm {planned.Arm}'s unit cost" };
                }

                if (!Campaign.UnlistedForBudget)
                {
                    Campaign.UnlistedForBudget = true;
                    await saveAsync();
                }
                else
                {
                    // Set by another call whose write may still be in flight: answered once the budget it saw is stored.
                    await settledAsync();
                }

                await setListeningAsync(false);
                return new CampaignGrant { Group = CampaignGroups.None, Reason = "budget exhausted" };
            }

            Campaign.Hold(new BudgetHeld(1, planned.UnitCost));
            planned.Reserved = true;
        }

        Campaign.Counters(CampaignMapping.GroupKey(planned.Group, planned.Arm)).Audience++;
        Campaign.PendingGrants.Add(memberId);
        await saveAsync();
        return new CampaignGrant { Group = planned.Group, Arm = planned.Arm, Delivery = CampaignMapping.DeliveryFor(definition, planned) };
    }

    /// <summary>
    /// Refuses a grant. A member asks only while it holds no membership of the campaign, so a member whose grant is still
    /// pending and asks again never stored it (its write failed, or the answer was lost): refused now, that grant is
    /// released (its audience count and its budget), or it would stay counted for a member who has nothing. Answered once
    /// the writes in flight have settled: the status refused on (a pause being written) is then stored.
    /// </summary>
    private async Task<CampaignGrant> RefuseAsync(string memberId, string reason)
    {
        await ReleaseAsync(memberId);
        await settledAsync();
        return new CampaignGrant { Group = CampaignGroups.None, Reason = reason };
    }

    /// <summary>
    /// Releases the grant pending for <paramref name="memberId"/>, if any: its audience count and, for an arm, its budget
    /// (a campaign unlisted for want of budget listens again). Called when the member shows it never stored the grant: it
    /// asks again and is refused, or its event fired a campaign of higher priority (<see cref="ICampaignGrain.ReleasePendingGrantAsync"/>).
    /// Writes only when something was pending.
    /// </summary>
    public async Task ReleaseAsync(string memberId)
    {
        if (Campaign.Definition is not { } definition || !Campaign.PendingGrants.Remove(memberId))
        {
            return;
        }

        var planned = CampaignMapping.Plan(definition, memberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent));
        Campaign.Counters(CampaignMapping.GroupKey(planned.Group, planned.Arm)).Audience--;
        var relist = planned.IsArm && GiveBack(planned.UnitCost);
        await saveAsync();
        if (relist)
        {
            await setListeningAsync(true);
        }
    }

    /// <summary>Moves the arm's outcome counters (sent, deferred, suppressed…); a released grant gives its budget back.</summary>
    public async Task ReportOutcomeAsync(CampaignOutcomeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!await FirstTimeAsync(report.ReportId))
        {
            return;
        }

        // The member's first report of a triggered grant confirms it is durable there: a later request is a new one.
        var confirmed = report.From.Length == 0 && Campaign.PendingGrants.Remove(report.MemberId);
        if (Campaign.Definition is not { } definition || !definition.Arms.Any(a => a.Name == report.Arm) || CampaignMapping.ToOutcome(report.To) is not { } to)
        {
            if (confirmed)
            {
                await saveAsync();
            }

            return;
        }

        var unitCost = CampaignMapping.UnitCostOf(definition, report.Arm);
        var relist = false;
        if (Campaign.Counters(report.Arm).Move(CampaignMapping.ToOutcome(report.From), to, unitCost))
        {
            relist = GiveBack(unitCost);
        }

        await saveAsync();
        if (relist)
        {
            await setListeningAsync(true);
        }
    }

    /// <summary>Counts a purchase (amount in CNY, net of refunds when negative) and a conversion against the member's group.</summary>
    public async Task ReportPurchaseAsync(CampaignPurchaseReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (Campaign.Definition is null || !await FirstTimeAsync(report.ReportId) || !Campaign.Groups.TryGetValue(CampaignMapping.GroupKey(report.Group, report.Arm), out var counters))
        {
            return;
        }

        counters.Purchase(report.Amount, report.Conversion);
        await saveAsync();
    }

    /// <summary>
    /// Forgets reports whose members stored that they will not send them again. In memory only: the next write stores
    /// it, and a state reloaded before then still remembers them, which costs nothing but room.
    /// </summary>
    public Task ForgetReports(IReadOnlyList<string> reportIds)
    {
        ArgumentNullException.ThrowIfNull(reportIds);
        foreach (var id in reportIds.Where(id => !string.IsNullOrEmpty(id)))
        {
            Campaign.Reports.Forget(id);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Gives one grant costing <paramref name="unitCost"/> back to the budget; true when the campaign, unlisted for want
    /// of it and still active, must listen again (the flag is cleared here, the caller relists after its write).
    /// </summary>
    private bool GiveBack(decimal unitCost)
    {
        Campaign.Hold(new BudgetHeld(-1, -unitCost));
        var relist = Campaign.UnlistedForBudget && Campaign.StatusAt(time.GetUtcNow()) == CampaignStatuses.Active;
        Campaign.UnlistedForBudget &= !relist;
        return relist;
    }

    /// <summary>
    /// True when the report with this id was not counted yet (its id is remembered from now on, in the write that counts
    /// it). A repeat is not counted again and writes nothing: it waits for the writes in flight to settle
    /// (<see cref="StateWriteGate.SettledAsync"/>), so the first count is durable before the repeat is acknowledged, and
    /// if the write storing it failed the repeat fails too (the activation is behind storage; the member sends it again
    /// to the reloaded campaign, which counts it once).
    /// </summary>
    /// <exception cref="Orleans.Storage.InconsistentStateException">A write of this activation failed.</exception>
    private async Task<bool> FirstTimeAsync(string? reportId)
    {
        if (string.IsNullOrEmpty(reportId) || Campaign.Reports.TryCount(reportId, options.ReportDedupeCapacity))
        {
            return true;
        }

        await settledAsync();
        return false;
    }
}
