using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// The paging of one broadcast's fan-out, run by <see cref="CampaignGrain"/>'s timer on the grain's own scheduler: a
/// counting pass over every member-index shard, then the delivery pass, <see cref="CampaignOptions.FanOutShardConcurrency"/>
/// shards at once, one page at a time. After each page its tally and the shard's cursor are written in one state
/// write (through the grain's write gate). It stops at a page boundary when the campaign is paused and continues from
/// the cursors when run again. The budget and counting rules are <see cref="BudgetReservation"/> and <see cref="PageTally"/>.
/// Once a write of the activation has failed (<see cref="StateWriteGate.Behind"/>, this fan-out's or another call's) no
/// worker starts another shard, page or member delivery: its checkpoint would be refused, and the next activation
/// repeats the work from what storage holds; the run throws the gate's refusal.
/// </summary>
internal sealed class CampaignFanOut(
    string campaignId,
    Func<CampaignGrainState> state,
    IMemberIndex index,
    CampaignOptions options,
    IGrainFactory grains,
    StateWriteGate gate,
    TimeProvider time,
    ILogger logger)
{
    private readonly DeliveryPacer _pacer = new(options.MaxDeliveriesPerSecond);

    /// <summary>Grants reserved by a page's current round whose members have not all answered yet, by shard cursor.</summary>
    private readonly Dictionary<ShardCursor, long> _unanswered = [];

    /// <summary>Completed (and replaced) whenever a page's round ends: a page blocked on others' reservations looks again.</summary>
    private TaskCompletionSource _roundEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CampaignGrainState Campaign => state();

    private bool FanningOut => Campaign.Status is CampaignStatuses.Counting or CampaignStatuses.Running;

    /// <summary>A paused broadcast whose window is over: ended here as a running one is (<see cref="CampaignPauseRule.EndsWhilePaused"/>).</summary>
    private bool EndsWhilePaused => Campaign.EndsWhilePaused(time.GetUtcNow());

    /// <summary>The retries of members a page found backed up (made when first needed).</summary>
    private BackedUpRetries? _retries;

    private BackedUpRetries Retries => _retries ??= new BackedUpRetries(campaignId, state, options, DeliverWithRetryAsync, _pacer, gate.WriteAsync, (a, found) => gate.WhenStored(a, found), time, logger);

    /// <summary>
    /// True when the last <see cref="RunAsync"/> returned with every shard done but backed-up members waiting for a
    /// later retry (<see cref="BackedUpMembers"/>): the fan-out reminder runs it again, not the timer at once.
    /// </summary>
    public bool WaitingOnBackedUp { get; private set; }

    /// <summary>
    /// Runs until the fan-out completes (true), is paused (false), or has every shard done and only backed-up members
    /// not yet due a retry (false, <see cref="WaitingOnBackedUp"/>). Throws on a failed read or write; the caller retries later.
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        WaitingOnBackedUp = false;
        // A pause leaves this loop at a page boundary; a resume while the last pages finish keeps it going. A paused
        // broadcast whose window closed comes in only to be ended (CampaignPauseRule.EndsWhilePaused).
        while (FanningOut || EndsWhilePaused)
        {
            // Workers stop quietly when another call's write failed: the refusal ends the run (no spinning on stopped workers).
            gate.ThrowIfBehind();
            if (CampaignPauseRule.WindowOver(Campaign.Definition!.ValidUntil, time.GetUtcNow()))
            {
                // No offer after validUntil: the members not reached yet get nothing (status ended, counters as they
                // stand). A page a failure may have interrupted is counted first, asking its members only what they
                // already have: every shard's current page once delivery had begun (a campaign without a budget writes
                // nothing ahead, so any of them may be one).
                var delivering = (EndsWhilePaused ? Campaign.ResumeTo : Campaign.Status) == CampaignStatuses.Running;
                foreach (var interrupted in Campaign.Shards.Where(s => !s.Done && (delivering || s.InFlightGrants is not null)).ToList())
                {
                    await DeliverPageAsync(interrupted, cancellationToken, repeatOnly: true);
                }

                // A backed-up member's retry a failure interrupted is asked what it has; those still waiting are given up.
                await Retries.EndAsync(cancellationToken);
                (Campaign.Status, Campaign.ResumeTo, Campaign.CompletedAt) = (CampaignStatuses.Ended, null, time.GetUtcNow());
                var reached = Campaign.Progress(time.GetUtcNow(), false).Reached;
                // Figures as written, logged once stored, or by the reload that finds an ambiguous write stored it.
                gate.WhenStored(() => CampaignLog.Ended(logger, campaignId, reached), () => Campaign.Status == CampaignStatuses.Ended);
                await gate.WriteAsync();
                return true;
            }

            if (Campaign.Status == CampaignStatuses.Counting)
            {
                await ForEachShardAsync(s => !s.Counted, CountShardAsync, cancellationToken);
                if (Campaign.Status == CampaignStatuses.Counting && Campaign.AudienceCounted)
                {
                    Campaign.Status = CampaignStatuses.Running;
                    var total = Campaign.Shards.Sum(s => s.Total);
                    gate.WhenStored(() => CampaignLog.Counted(logger, campaignId, total), () => Campaign.AudienceCounted
                        && Campaign.Status is not (CampaignStatuses.Counting or CampaignStatuses.Draft) && Campaign.ResumeTo != CampaignStatuses.Counting);
                    await gate.WriteAsync();
                }

                continue;
            }

            await ForEachShardAsync(s => !s.Done, DeliverShardAsync, cancellationToken);
            if (Campaign.Status == CampaignStatuses.Running && Campaign.Shards.All(s => s.Done))
            {
                if (!await Retries.RunDueAsync(cancellationToken))
                {
                    // Members still backed up: not completed yet; the fan-out reminder looks again (and a pause stops it).
                    WaitingOnBackedUp = FanningOut;
                    if (WaitingOnBackedUp)
                    {
                        return false;
                    }

                    continue;
                }

                Campaign.Status = CampaignStatuses.Completed;
                Campaign.CompletedAt = time.GetUtcNow();
                var p = Campaign.Progress(time.GetUtcNow(), false);
                gate.WhenStored(() => CampaignLog.Completed(logger, campaignId, p.Reached, p.Sent, p.Deferred, p.Suppressed, p.Control, p.Excluded), () => Campaign.Status == CampaignStatuses.Completed);
                await gate.WriteAsync();
                return true;
            }
        }

        return false;
    }

    private async Task ForEachShardAsync(Func<ShardCursor, bool> pending, Func<ShardCursor, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        // Workers run on the activation's scheduler: the queue is touched by one turn at a time.
        var queue = new Queue<ShardCursor>(Campaign.Shards.Where(pending));
        var workers = Enumerable.Range(0, Math.Min(options.FanOutShardConcurrency, queue.Count)).Select(async _ =>
        {
            while (FanningOut && !gate.Behind && queue.TryDequeue(out var shard))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await work(shard, cancellationToken);
            }
        });
        await Task.WhenAll(workers);
    }

    private async Task CountShardAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        var criteria = CampaignMapping.ToCriteria(Campaign.Definition!.Audience);
        string? continuation = null;
        long total = 0;
        do
        {
            var page = await index.ReadShardAsync(cursor.Shard, continuation, options.FanOutPageSize, cancellationToken);
            total += page.Entries.Count(e => criteria.Matches(e.Attributes));
            continuation = page.Continuation;
        }
        while (continuation is not null);

        (cursor.Total, cursor.Counted) = (total, true);
        await gate.WriteAsync();
    }

    private async Task DeliverShardAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        while (!cursor.Done && !gate.Behind && Campaign.Status == CampaignStatuses.Running && !CampaignPauseRule.WindowOver(Campaign.Definition!.ValidUntil, time.GetUtcNow()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await DeliverPageAsync(cursor, cancellationToken);
        }
    }

    /// <summary>
    /// Delivers one page of <paramref name="cursor"/>'s shard and checkpoints it. <paramref name="repeatOnly"/>: only
    /// the part a write-ahead covered is asked again (<see cref="CampaignDelivery.RepeatOnly"/>: members answer what
    /// they already have, and nobody new is touched), then the page is checkpointed as it stands.
    /// </summary>
    private async Task DeliverPageAsync(ShardCursor cursor, CancellationToken cancellationToken, bool repeatOnly = false)
    {
        var definition = Campaign.Definition!;
        var criteria = CampaignMapping.ToCriteria(definition.Audience);
        var page = await ReadPageAsync(cursor, cancellationToken);
        List<PlannedDelivery> plan = [.. page.Entries
            .Where(e => criteria.Matches(e.Attributes))
            .Select(e => CampaignMapping.Plan(definition, e.MemberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent)))];

        var limit = CampaignMapping.ToLimit(definition.Budget);
        var tally = new PageTally();
        var from = 0;
        if (cursor.InFlightGrants is { } grants && cursor.InFlightLast is { } last)
        {
            // A page replayed after a crash first asks every member its write-ahead covered, by member id, only what it
            // already has: one whose index row no longer matches the audience (a purchase moved its tier) keeps its grant
            // counted and held. Those that have nothing and still match go back to the rounds, which reserve budget for
            // them like for anyone (a member new to the audience in that range must not take an unreserved grant).
            List<PlannedDelivery> replay = [.. page.Entries
                .Where(e => string.CompareOrdinal(e.MemberId, last) <= 0)
                .Select(e => Covered(definition, e.MemberId))];
            var matching = page.Entries.Where(e => string.CompareOrdinal(e.MemberId, last) <= 0 && criteria.Matches(e.Attributes))
                .Select(e => e.MemberId).ToHashSet(StringComparer.Ordinal);
            plan.RemoveAll(p => string.CompareOrdinal(p.MemberId, last) <= 0);
            var notReached = new List<PlannedDelivery>();
            await DeliverRangeAsync(definition, replay, 0, replay.Count, tally, cancellationToken, repeatOnly: true, notReached);
            plan.InsertRange(0, notReached.Where(p => matching.Contains(p.MemberId)).OrderBy(p => p.MemberId, StringComparer.Ordinal)
                .Select(p => CampaignMapping.Plan(definition, p.MemberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent))));
        }
        else if (cursor.InFlightGrants is { } legacy)
        {
            // A write-ahead stored before member ids were kept: by position in the page as filtered now.
            from = Math.Min(plan.Count, cursor.InFlightEnd ?? BudgetReservation.ReserveRound(new BudgetLimit(legacy, cursor.InFlightCost), default, plan, 0).End);
            for (var i = 0; i < from; i++)
            {
                plan[i].Reserved = plan[i].IsArm;
            }

            await DeliverRangeAsync(definition, plan, 0, from, tally, cancellationToken, repeatOnly);
        }
        else if (repeatOnly)
        {
            // No write-ahead (no budget to guard): the whole page is asked what its members already have.
            await DeliverRangeAsync(definition, plan, 0, plan.Count, tally, cancellationToken, repeatOnly: true);
        }

        // Rounds: grants this page's own members did not take (suppressed, ineligible) go to its next members.
        while (!repeatOnly && from < plan.Count)
        {
            var round = BudgetReservation.ReserveRound(limit, BudgetReservation.Held(Campaign.Held(except: cursor), [tally.Kept]), plan, from);
            if (BudgetReservation.WaitForOthers(round, from, _unanswered.Where(u => !ReferenceEquals(u.Key, cursor)).Sum(u => u.Value)))
            {
                await _roundEnded.Task.WaitAsync(cancellationToken);
                continue;
            }

            if (round.End == from)
            {
                // The budget is spent: nobody from here on is assigned (arms and control alike, so they stay comparable).
                for (var i = from; i < plan.Count; i++)
                {
                    plan[i].Skip = true;
                    tally.Skipped();
                }

                break;
            }

            // Counted as unanswered from the moment it is reserved: a page blocked meanwhile waits for this round's end.
            _unanswered[cursor] = round.Reserved.Grants;
            try
            {
                if (limit.Limited && round.Reserved.Grants > 0)
                {
                    // Write-ahead: stored before any of the round's members is called, so a crash cannot free spent budget.
                    (cursor.InFlightGrants, cursor.InFlightCost, cursor.InFlightEnd, cursor.InFlightLast) =
                        (tally.Kept.Grants + round.Reserved.Grants, tally.Kept.Cost + round.Reserved.Cost, round.End, plan[round.End - 1].MemberId);
                    await gate.WriteAsync();
                }

                await DeliverRangeAsync(definition, plan, from, round.End, tally, cancellationToken);
                if (cursor.InFlightGrants is not null)
                {
                    // Every member of the round answered: what they did not take is free for other pages now.
                    (cursor.InFlightGrants, cursor.InFlightCost) = (tally.Kept.Grants, tally.Kept.Cost);
                }
            }
            finally
            {
                _unanswered.Remove(cursor);
                var ended = _roundEnded;
                _roundEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
                ended.TrySetResult();
            }

            from = round.End;
        }

        // One checkpoint: the page's counters, the cursor past it, the in-flight reservation turned into held grants,
        // and the members that refused as backed up listed for a retry (BackedUpRetries).
        // One refused while the list is full is given up at once (BackedUpMembers.MaxWaiting), logged (one line for the page) once it is stored.
        Campaign.Add(tally);
        var givenUp = tally.BackedUp.Where(memberId => !(Campaign.BackedUp ??= new()).Refused(memberId, time.GetUtcNow())).ToList();
        (cursor.InFlightGrants, cursor.InFlightCost, cursor.InFlightEnd, cursor.InFlightLast) = (null, 0, null, null);
        (cursor.Continuation, cursor.Done) = (page.Continuation, page.Continuation is null);
        if (givenUp.Count > 0)
        {
            // One line a page, not one a member: a chain-wide outage could otherwise log a Warning for every member. Logged
            // by the write that stores the page; when it fails the page is not stored, and its replay by the next
            // activation gives them up (and logs them) again if they are still backed up.
            // Given-up counts only grow: a reload holding this page's total holds this page (an ambiguous write stored it).
            var (count, first, total) = (givenUp.Count, string.Join(", ", givenUp.Take(5)), Campaign.BackedUp!.GivenUp);
            gate.WhenStored(() => CampaignLog.BackedUpListFull(logger, campaignId, count, BackedUpMembers.MaxWaiting, first), () => Campaign.BackedUp?.GivenUp >= total);
        }

        if (tally.MembershipCapRefused > 0)
        {
            // One line a page (members log theirs at Debug); counts only grow, so a reload holding this total holds this page.
            var (refused, refusedTotal) = (tally.MembershipCapRefused, Campaign.MembershipCapRefused);
            gate.WhenStored(() => CampaignLog.MembershipCapRefused(logger, campaignId, refused, options.MaxMembershipsKept), () => Campaign.MembershipCapRefused >= refusedTotal);
        }

        await gate.WriteAsync();
    }

    /// <summary>
    /// The cursor's next page. A page replayed after a write-ahead reads on until it reaches past
    /// <see cref="ShardCursor.InFlightLast"/>: rows indexed into the shard meanwhile may sort before the members the
    /// write-ahead covered and push some past a page's end, and those must be replayed as covered, not met as new in the
    /// next page (one that left the audience meanwhile would never be counted, nor its grant held).
    /// </summary>
    private async Task<MemberIndexPage> ReadPageAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        var page = await index.ReadShardAsync(cursor.Shard, cursor.Continuation, options.FanOutPageSize, cancellationToken);
        while (cursor.InFlightLast is { } covered && page.Continuation is { } next
            && (page.Entries.Count == 0 || string.CompareOrdinal(page.Entries[^1].MemberId, covered) < 0))
        {
            var more = await index.ReadShardAsync(cursor.Shard, next, options.FanOutPageSize, cancellationToken);
            page = new MemberIndexPage([.. page.Entries, .. more.Entries], more.Continuation);
        }

        return page;
    }

    /// <summary>A member a replayed write-ahead covered: planned as any, its grant reserved, asked only what it has.</summary>
    private PlannedDelivery Covered(CampaignDefinition definition, string memberId)
    {
        var planned = CampaignMapping.Plan(definition, memberId, Campaign.GlobalControlPercentOr(options.GlobalControlPercent));
        planned.Reserved = planned.IsArm;
        planned.RepeatOnly = true;
        return planned;
    }

    /// <summary>
    /// Delivers plan positions [<paramref name="from"/>, <paramref name="end"/>) and counts each answer in
    /// <paramref name="tally"/>; <paramref name="repeatOnly"/> (or an item's own <see cref="PlannedDelivery.RepeatOnly"/>):
    /// asks only for what members already have, and counts nothing for a member that has none (it was never reached),
    /// which goes to <paramref name="notReached"/> when given.
    /// </summary>
    private async Task DeliverRangeAsync(
        CampaignDefinition definition, List<PlannedDelivery> plan, int from, int end, PageTally tally, CancellationToken cancellationToken, bool repeatOnly = false, List<PlannedDelivery>? notReached = null)
    {
        var next = from;
        var workers = Enumerable.Range(0, Math.Min(options.MemberConcurrency, end - from)).Select(async _ =>
        {
            while (next < end && !gate.Behind)
            {
                var item = plan[next++];
                await _pacer.PaceAsync(cancellationToken);
                var askOnly = repeatOnly || item.RepeatOnly;
                var result = await DeliverWithRetryAsync(item.MemberId, CampaignMapping.DeliveryFor(definition, item) with { RepeatOnly = askOnly });
                if (result is null)
                {
                    // Backed up (MemberBacklogException): not reached, counted nowhere; its reserved grant goes back to the
                    // budget, and the page's checkpoint lists it for a retry (BackedUpRetries).
                    tally.BackedUp.Add(item.MemberId);
                    continue;
                }

                if (askOnly && !result.Repeat)
                {
                    // Workers run on the activation's scheduler, one turn at a time: the list needs no lock.
                    notReached?.Add(item);
                    continue;
                }

                CampaignMapping.Count(tally, item, definition, result);
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>
    /// The member's answer, retried up to 3 times on a timeout; null when the member refused it because its outbox is
    /// backed up (<see cref="MemberBacklogException"/>): it decided nothing, and retrying at once would only refuse again,
    /// so the page goes on without it (docs/rules.md "The outbox is bounded by count and by bytes").
    /// </summary>
    private async Task<CampaignDeliveryResult?> DeliverWithRetryAsync(string memberId, CampaignDelivery delivery)
    {
        var member = grains.GetGrain<IMemberGrain>(memberId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await member.DeliverCampaignAsync(delivery);
            }
            catch (MemberBacklogException ex)
            {
                CampaignLog.MemberBackedUp(logger, campaignId, memberId, ex.Bytes);
                return null;
            }
            catch (Exception ex) when (attempt < 3 && ex is TimeoutException or OrleansException)
            {
                // Safe to repeat: the member answers a repeat from memory.
                CampaignLog.DeliveryRetry(logger, ex, campaignId, memberId, attempt);
            }
        }
    }
}
