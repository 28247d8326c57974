namespace Engagement.Domain.Touches;

/// <summary>
/// What <see cref="TouchGovernor"/> remembers in <see cref="TouchState"/>: recording a decision, the bounds on
/// recorded and sent decisions, the latest decision of a touch id and the open deferrals.
/// </summary>
internal static class TouchHistory
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    internal static void Record(TouchState touches, TouchDecision decision, TouchOptions options, DateTimeOffset now)
    {
        touches.Decisions.Add(decision with { });
        if (decision.Decision == TouchDecisions.Sent)
        {
            touches.Sent.Add(decision with { });
        }

        PruneDecisions(touches.Decisions, options.MaxRecordedDecisions);
        PruneSent(touches.Sent, options, now);
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> decisions, and the newest beside them: settled ones go first, oldest first;
    /// open deferrals stay (a new touch finding <paramref name="max"/> waiting is suppressed instead,
    /// <see cref="WaitingFull"/>), and so does the decision just recorded, so the history shows why it was suppressed.
    /// </summary>
    private static void PruneDecisions(List<TouchDecision> decisions, int max)
    {
        if (decisions.Count <= max)
        {
            return;
        }

        var open = OpenDeferred(decisions).ToHashSet(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < decisions.Count - 1 && decisions.Count > max;)
        {
            if (open.Contains(decisions[i]))
            {
                i++;
            }
            else
            {
                decisions.RemoveAt(i);
            }
        }

        // Only open deferrals left beyond the bound and the newest: only after the bound was lowered; the oldest give way.
        if (decisions.Count > max + 1)
        {
            decisions.RemoveRange(0, decisions.Count - max - 1);
        }
    }

    private static void PruneSent(List<TouchDecision> sent, TouchOptions options, DateTimeOffset now)
    {
        var keepFrom = now - TimeSpan.FromDays(Math.Max(7, options.KeepSentDays));
        sent.RemoveAll(s => s.Published && s.DecidedAt < keepFrom);

        // Over the bound: drop published touches the caps no longer read, oldest first; keep unpublished ones.
        for (var i = 0; i < sent.Count && sent.Count > options.MaxSentRecords;)
        {
            var s = sent[i];
            var capsIgnoreIt = s.DecidedAt <= now - Week
                || (s.Category == TouchCategories.Service && options.ServiceBypassesChannelCaps);
            if (s.Published && capsIgnoreIt)
            {
                sent.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }

    internal static TouchDecision? Latest(TouchState touches, string touchId)
    {
        for (var i = touches.Sent.Count - 1; i >= 0; i--)
        {
            if (touches.Sent[i].TouchId == touchId)
            {
                return touches.Sent[i];
            }
        }

        for (var i = touches.Decisions.Count - 1; i >= 0; i--)
        {
            if (touches.Decisions[i].TouchId == touchId)
            {
                return touches.Decisions[i];
            }
        }

        return null;
    }

    internal static List<TouchDecision> OpenDeferred(TouchState touches) => OpenDeferred(touches.Decisions);

    /// <summary>
    /// True when <paramref name="max"/> deferred touches already wait and <paramref name="touchId"/> is not one of them:
    /// deferring it too would push the oldest out of the bounded history, neither sent nor suppressed.
    /// </summary>
    internal static bool WaitingFull(TouchState touches, string touchId, int max)
    {
        var open = OpenDeferred(touches.Decisions);
        return open.Count >= max && !open.Exists(d => string.Equals(d.TouchId, touchId, StringComparison.Ordinal));
    }

    /// <summary>Deferred decisions not followed by a later decision for the same touch id.</summary>
    private static List<TouchDecision> OpenDeferred(List<TouchDecision> decisions)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var open = new List<TouchDecision>();
        for (var i = decisions.Count - 1; i >= 0; i--)
        {
            var d = decisions[i];
            if (seen.Add(d.TouchId) && d.Decision == TouchDecisions.Deferred)
            {
                open.Add(d);
            }
        }

        open.Reverse();
        return open;
    }
}
