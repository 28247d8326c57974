namespace Engagement.Domain.Metrics;

/// <summary>
/// Derives a member's metric contributions from one outcome (CONTRACT.md §5). Pure: the same state and transition
/// always give the same new state and the same contributions with the same ids.
/// </summary>
/// <remarks>
/// <para><b>Distinct counts without sets of ids.</b> A member is counted in <c>dau</c> of day D when it becomes active
/// on D for the first time; in <c>wau</c>/<c>mau</c> of each day D' whose 7/30-day window it enters by this
/// activity (so a member active daily adds one to the window's newest day, a returning member up to 7/30 days).
/// The same holds for the 30-day purchaser windows. Those days are recorded as one window entry on the activity's own
/// day (<see cref="MetricWindows"/>), summed on read, so one activity touches one aggregator, not 30. Late activity counts in its own day and fills only the windows it
/// newly covers, which the member's <see cref="DayBits"/> tell exactly. A member counts once in each region it is
/// active in, and once in the programme's total (<see cref="DistinctCounts"/>).</para>
/// <para><b>Lateness bound.</b> Activity more than <see cref="ExactLatenessDays"/> days older than the member's latest
/// active day falls outside its remembered window and is not placed in distinct counts (counted as
/// <see cref="MetricNames.LateUncounted"/>); sums (revenue, points, complaints) still count in their own day.</para>
/// </remarks>
public static class MemberMetrics
{
    /// <summary>The weekly window (days).</summary>
    public const int WeekDays = 7;

    /// <summary>The monthly window (days).</summary>
    public const int MonthDays = 30;

    /// <summary>Repurchase within this many days of the first purchase counts for <see cref="MetricNames.Repurchased7d"/>.</summary>
    public const int RepurchaseWithinDays = 7;

    /// <summary>Activity at most this many days older than the member's latest is placed exactly.</summary>
    public const int ExactLatenessDays = DayBits.Span - MonthDays;

    private static readonly Dictionary<string, int> EmptyByOffer = new(StringComparer.Ordinal);

    private static readonly Dictionary<DateOnly, long> EmptyExpired = [];

    /// <summary>The new state and the contributions (one per target aggregator) of <paramref name="transition"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/>, <paramref name="options"/> or the transition's
    /// <see cref="MemberTransition.After"/> is null (a <c>default</c> transition).</exception>
    /// <exception cref="ArgumentException">The transition's <see cref="MemberTransition.MemberId"/> is null or empty.</exception>
    public static (MemberMetricState State, IReadOnlyList<MetricContribution> Contributions) Derive(
        MemberMetricState state, MemberTransition transition, MetricsOptions options) => Core(state, transition, options, keepSegments: false);

    /// <summary>
    /// <see cref="Derive"/>, the new state also holding <see cref="MemberTransition.After"/> as its
    /// <see cref="MemberMetricState.Segments"/>, in the same copy of the state (<see cref="MemberMetricsPolicy.Record"/>,
    /// once per outcome).
    /// </summary>
    internal static (MemberMetricState State, IReadOnlyList<MetricContribution> Contributions) DeriveWithSegments(
        MemberMetricState state, MemberTransition transition, MetricsOptions options) => Core(state, transition, options, keepSegments: true);

    private static (MemberMetricState State, IReadOnlyList<MetricContribution> Contributions) Core(
        MemberMetricState state, in MemberTransition transition, MetricsOptions options, bool keepSegments)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        // A default transition (the struct's zero value) names no member and no segments: refuse it before any work.
        ArgumentNullException.ThrowIfNull(transition.After);
        ArgumentException.ThrowIfNullOrEmpty(transition.MemberId);
        var sink = new ContributionSink(transition, options);
        var day = transition.Day;
        var home = transition.After.RegionId;
        var region = transition.RegionId ?? home;
        var s = state;

        // A join is set on the state after the event's activity (which copies the state when it moves it; the activity of
        // the join's own day reads no join): one copy of the state, not one more before it.
        var joining = transition.Joined && s.JoinedDay is null;
        if (joining)
        {
            sink.Add(region, day, MetricNames.NewMembers, 1);
        }
        else if (s.JoinedDay is { } counted && transition.RegisteredDay is { } registered && registered < counted)
        {
            s = MoveJoin(s, sink, region, counted, registered, CountedIn(transition));
        }

        // A member not counted on one side (known only by a held refund) joins or leaves the gauge; it does not move.
        if (transition.Before is { Counted: true } was && transition.After.Counted && !string.Equals(was.RegionId, home, StringComparison.Ordinal))
        {
            // The members gauge moves now; the days record it, so a region's members of a past day are worked back exactly:
            // each side on its own region's local day (a move between zones may leave on one day and arrive on the next).
            sink.Add(was.RegionId, transition.MovedOutDay ?? day, MetricNames.MovedOut, 1);
            sink.Add(home, day, MetricNames.MovedIn, 1);
        }

        var type = transition.EventType;
        if (type is not null && type != "complaint")
        {
            s = Activity(s, state, transition, sink, region, day);
        }

        if (joining)
        {
            s = Owned(s, state);
            s.SetJoined(day, region);
        }

        if (transition.HeldRefunds is { Count: > 0 } heldRefunds)
        {
            var refund = transition with { EventType = "refund" };
            foreach (var held in heldRefunds)
            {
                var where = held.RegionId ?? region;
                s = Activity(s, state, refund, sink, where, held.Day);
                sink.AddRevenue(where, held.Day, -held.Amount);
                sink.Add(where, held.Day, MetricNames.PointsIssued, held.PointsIssued);
                sink.Add(where, held.Day, MetricNames.PointsReversed, held.PointsReversed);
            }
        }

        sink.Add(region, day, MetricNames.Complaints, type == "complaint" ? 1 : 0);
        sink.Add(region, day, MetricNames.PointsIssued, transition.PointsIssued);
        sink.Add(region, day, MetricNames.PointsRedeemed, transition.PointsRedeemed);
        foreach (var (expiredOn, points) in transition.PointsExpired ?? EmptyExpired)
        {
            sink.Add(region, expiredOn, MetricNames.PointsExpired, points);
        }

        sink.Add(region, day, MetricNames.PointsReversed, transition.PointsReversed);
        sink.Add(region, day, MetricNames.PointsAdjusted, transition.PointsAdjusted);
        sink.Add(region, day, MetricNames.CouponsIssued, transition.CouponsIssued);
        sink.Add(region, day, MetricNames.CouponsRedeemed, transition.CouponsRedeemed);
        foreach (var (offer, n) in transition.CouponsIssuedByOffer ?? EmptyByOffer)
        {
            sink.Add(region, day, MetricNames.CouponsIssuedOfferPrefix + offer, n);
        }

        foreach (var (offer, n) in transition.CouponsRedeemedByOffer ?? EmptyByOffer)
        {
            sink.Add(region, day, MetricNames.CouponsRedeemedOfferPrefix + offer, n);
        }

        sink.Add(region, day, MetricNames.CampaignReached, transition.CampaignReached);
        sink.Add(region, day, MetricNames.CampaignConverted, transition.CampaignConverted);
        sink.AddRevenue(region, day, transition.Revenue);
        Gauges(transition.Before, transition.After, s.DebtCounted, sink, day);
        var sequence = state.Sequence + 1;
        var contributions = sink.Build(sequence);

        // One copy of the state for what every outcome moves: the debt counted from now on, the sequence when it
        // contributed, and the segments the gauges now hold when asked; none when none of them moves (an outcome that
        // contributed nothing, its segments the very ones held: MemberMetricsPolicy.Segments keeps an equal instance).
        var nextSequence = contributions.Count == 0 ? s.Sequence : sequence;
        var segments = keepSegments ? transition.After : s.Segments;
        if (s.DebtCounted && s.Sequence == nextSequence && ReferenceEquals(s.Segments, segments))
        {
            return (s, contributions);
        }

        if (!ReferenceEquals(s, state))
        {
            // s is a copy this derivation made (every step above copies with `with`), held by nothing else yet.
            s.SetOutcome(debtCounted: true, nextSequence, segments);
            return (s, contributions);
        }

        return (s with { DebtCounted = true, Sequence = nextSequence, Segments = segments }, contributions);
    }

    /// <summary>
    /// Where a cohort (a join, a first purchase) was counted when the member's state does not say (stored before
    /// <see cref="MemberMetricState.JoinedRegion"/> was kept): the member's region before this outcome, as those
    /// versions counted it, not the region of the event that comes now.
    /// </summary>
    private static string CountedIn(in MemberTransition t) => t.Before?.RegionId ?? t.After.RegionId;

    /// <summary>
    /// A late event moved the member's registration earlier: it joined on <paramref name="joined"/>, not on
    /// <paramref name="counted"/> (CONTRACT.md §1.1: the effect it would have had in order). Moves its newMembers and its
    /// next-day retention (it was active the day after <paramref name="counted"/>, or after <paramref name="joined"/>)
    /// to the earlier day, from the region it was counted in to <paramref name="region"/>, the registration's.
    /// </summary>
    private static MemberMetricState MoveJoin(MemberMetricState s, ContributionSink sink, string region, DateOnly counted, DateOnly joined, string legacy)
    {
        var was = s.JoinedRegion ?? legacy;
        sink.Add(was, counted, MetricNames.NewMembers, -1);
        sink.Add(region, joined, MetricNames.NewMembers, 1);
        if (s.Active.Has(counted.AddDays(1)))
        {
            sink.Add(was, counted, MetricNames.RetainedNextDay, -1);
        }

        if (s.Active.Has(joined.AddDays(1)))
        {
            sink.Add(region, joined, MetricNames.RetainedNextDay, 1);
        }

        return s with { JoinedDay = joined, JoinedRegion = region };
    }

    /// <summary>
    /// <paramref name="s"/> when the current derivation made it (a copy held by nothing else yet), else a copy of it: the
    /// state to set a field on in place (<see cref="MemberMetricState.SetJoined"/>, ...) without touching
    /// <paramref name="given"/>, the state the derivation was given.
    /// </summary>
    private static MemberMetricState Owned(MemberMetricState s, MemberMetricState given) => ReferenceEquals(s, given) ? s with { } : s;

    private static MemberMetricState Activity(MemberMetricState s, MemberMetricState given, in MemberTransition t, ContributionSink sink, string region, DateOnly day)
    {
        if (!s.Active.Covers(day.AddDays(-(MonthDays - 1))))
        {
            sink.Add(region, day, MetricNames.LateUncounted, 1);
            return s;
        }

        if (!s.Active.Has(day) && s.JoinedDay is { } joined && joined.AddDays(1) == day)
        {
            // The join's cohort, in the region it joined in (a share of that region's newMembers), active anywhere.
            sink.Add(s.JoinedRegion ?? CountedIn(t), joined, MetricNames.RetainedNextDay, 1);
        }

        // Distinct counts in the event's region and programme-wide (DistinctCounts); the purchase's day bits before it
        // (all programme-wide) tell a late first purchase where the member bought again.
        var earlier = s.Purchase;
        s = DistinctCounts.Count(s, t.EventType, region, day, sink);
        switch (t.EventType)
        {
            case "share":
                sink.Add(region, day, MetricNames.Shares, 1);
                break;
            case "purchase":
                sink.Add(region, day, MetricNames.Purchases, 1);
                s = FirstPurchase(s, given, t, sink, region, day, earlier);
                break;
            default:
                break;
        }

        return s;
    }

    private static MemberMetricState FirstPurchase(MemberMetricState s, MemberMetricState given, in MemberTransition t, ContributionSink sink, string region, DateOnly day, DayBits earlier)
    {
        if (t.FirstPurchase && s.FirstPurchaseDay is null)
        {
            sink.Add(region, day, MetricNames.FirstPurchasers, 1);
            s = Owned(s, given); // set on the copy the activity made, not on a second one
            s.SetFirstPurchase(day, region, s.Repurchased7dCounted);
            return s;
        }

        if (s.FirstPurchaseDay is { } counted && day < counted)
        {
            return MoveFirstPurchase(Owned(s, given), sink, region, counted, day, earlier, CountedIn(t));
        }

        if (s.FirstPurchaseDay is { } first && !s.Repurchased7dCounted && day >= first && day.DayNumber - first.DayNumber <= RepurchaseWithinDays)
        {
            // The first purchase's cohort, in the region it counted in (a share of that region's firstPurchasers).
            sink.Add(s.FirstPurchaseRegion ?? CountedIn(t), first, MetricNames.Repurchased7d, 1);
            s = Owned(s, given);
            s.SetFirstPurchase(first, s.FirstPurchaseRegion, repurchased7dCounted: true);
            return s;
        }

        return s;
    }

    /// <summary>
    /// A late purchase older than the first purchase counted (on <paramref name="counted"/>) is the member's first
    /// (CONTRACT.md §1.1): firstPurchasers and repurchase7d move to <paramref name="day"/>, where the member bought again
    /// within 7 days when any purchase applied before (<paramref name="earlier"/>, all later than this one) falls in them.
    /// </summary>
    private static MemberMetricState MoveFirstPurchase(MemberMetricState s, ContributionSink sink, string region, DateOnly counted, DateOnly day, DayBits earlier, string legacy)
    {
        var was = s.FirstPurchaseRegion ?? legacy;
        sink.Add(was, counted, MetricNames.FirstPurchasers, -1);
        sink.Add(region, day, MetricNames.FirstPurchasers, 1);
        if (s.Repurchased7dCounted)
        {
            sink.Add(was, counted, MetricNames.Repurchased7d, -1);
        }

        var again = earlier.Any(day, day.AddDays(RepurchaseWithinDays));
        if (again)
        {
            sink.Add(region, day, MetricNames.Repurchased7d, 1);
        }

        s.SetFirstPurchase(day, region, again); // s: a copy the derivation made (FirstPurchase)
        return s;
    }

    /// <summary>
    /// The member's gauge deltas from <paramref name="before"/> to <paramref name="after"/>. A member whose debt never
    /// entered <see cref="GaugeNames.PointsDebt"/> (<paramref name="debtCounted"/> false: its state was stored before that
    /// gauge existed) is taken to have owed nothing before, so its whole current debt enters now, where it is.
    /// </summary>
    private static void Gauges(MemberSegments? before, MemberSegments after, bool debtCounted, ContributionSink sink, DateOnly day)
    {
        if (before is not null && before.Counted == after.Counted && string.Equals(before.RegionId, after.RegionId, StringComparison.Ordinal))
        {
            // The usual event: same region, counted as before. Only what changed moves; the full before and after
            // below would give the same contribution (equal keys cancel, and zero counters are not sent).
            var region = after.RegionId;
            sink.AddGauge(region, day, GaugeNames.PointsOutstanding, after.PointsBalance - before.PointsBalance);
            sink.AddGauge(region, day, GaugeNames.PointsDebt, Debt(after) - (debtCounted ? Debt(before) : 0));
            if (after.Counted)
            {
                MoveGauge(sink, region, day, GaugeNames.TierPrefix, before.Tier, after.Tier);
                MoveGauge(sink, region, day, GaugeNames.SegmentPrefix, before.RfmSegment, after.RfmSegment);
                MoveGauge(sink, region, day, GaugeNames.ValueClassPrefix, before.ValueClass, after.ValueClass);
                MoveGauge(sink, region, day, GaugeNames.StagePrefix, before.Stage, after.Stage);
                var (was, now) = (MonetaryHistogram.BucketOf(before.Monetary), MonetaryHistogram.BucketOf(after.Monetary));
                if (was != now)
                {
                    sink.AddGauge(region, day, GaugeNames.Monetary(was), -1);
                    sink.AddGauge(region, day, GaugeNames.Monetary(now), 1);
                }
            }

            return;
        }

        if (before is not null)
        {
            foreach (var (key, value) in GaugeKeys(before, debtCounted))
            {
                sink.AddGauge(before.RegionId, day, key, -value);
            }
        }

        foreach (var (key, value) in GaugeKeys(after, true))
        {
            sink.AddGauge(after.RegionId, day, key, value);
        }
    }

    /// <summary>One member leaves the <paramref name="prefix"/> gauge of <paramref name="was"/> for that of <paramref name="now"/>, when they differ.</summary>
    private static void MoveGauge(ContributionSink sink, string region, DateOnly day, string prefix, string was, string now)
    {
        if (!string.Equals(was, now, StringComparison.Ordinal))
        {
            sink.AddGauge(region, day, GaugeNames.Of(prefix, was), -1);
            sink.AddGauge(region, day, GaugeNames.Of(prefix, now), 1);
        }
    }

    /// <summary>What the member owes: its balance when negative, as a positive number (one member's debt is no other's credit).</summary>
    private static long Debt(MemberSegments m) => Math.Max(0, -m.PointsBalance);

    /// <summary>
    /// The gauges a member adds; one not <see cref="MemberSegments.Counted"/> adds its points only. Its debt only when
    /// <paramref name="debt"/> (a debt that never entered the gauge is not taken out of it).
    /// </summary>
    private static IEnumerable<(string Key, long Value)> GaugeKeys(MemberSegments m, bool debt)
    {
        yield return (GaugeNames.PointsOutstanding, m.PointsBalance);
        yield return (GaugeNames.PointsDebt, debt ? Debt(m) : 0);
        if (!m.Counted)
        {
            yield break;
        }

        yield return (GaugeNames.Members, 1);
        yield return (GaugeNames.Of(GaugeNames.TierPrefix, m.Tier), 1);
        yield return (GaugeNames.Of(GaugeNames.SegmentPrefix, m.RfmSegment), 1);
        yield return (GaugeNames.Of(GaugeNames.ValueClassPrefix, m.ValueClass), 1);
        yield return (GaugeNames.Of(GaugeNames.StagePrefix, m.Stage), 1);
        yield return (GaugeNames.Monetary(MonetaryHistogram.BucketOf(m.Monetary)), 1);
    }
}
