using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>
/// Everything time alone makes due for one member, in one call: points expiry, tier grace and held-refund
/// timeouts (<see cref="MemberEngine.ApplyTimePassed"/>), lifecycle stage and win-back, deferred touches whose time has
/// come, points-expiry notices and the birthday benefit touch.
/// The member grain calls only this on its reminder (and whenever it wakes at <see cref="MemberTickResult.NextDueAt"/>).
/// </summary>
/// <remarks>
/// Idempotent: a second run at the same instant changes nothing and decides no touch again.
/// Order matters: the engine tick first (a tier lost in grace takes its birthday benefit with it), then the
/// lifecycle, then touches that already waited (they keep their turn under the caps), then new touches.
/// </remarks>
public static class MemberTick
{
    /// <param name="state">The member, changed in place.</param>
    /// <param name="options">The programme rules.</param>
    /// <param name="now">The instant of the tick.</param>
    /// <param name="fulfil">
    /// Fulfils the offer of a win-back level's or the birthday benefit's touch once it is decided sent, at once or on the
    /// retry of a deferred one (Domain/Offers <c>OfferFulfilment</c>: the L1 gift and the birthday coupon become coupons),
    /// and returns the request carrying what was granted (its coupon code); a touch that waits grants nothing yet, and one
    /// that ends suppressed or withdrawn grants nothing; null: announce only.
    /// </param>
    /// <param name="hold">
    /// Asked for a win-back level's or the birthday benefit's touch (new, or waiting with its dedupe key) that would go
    /// out now: a <see cref="TouchHold"/> keeps it waiting in its window, its offer not fulfilled (Domain/Offers
    /// <c>GoodsTiedCoupons.HoldFor</c>: a coupon tied to skus with no stock found near the member); null: none is held.
    /// </param>
    public static MemberTickResult Run(
        MemberState state, ProgramOptions options, DateTimeOffset now, Func<TouchRequest, TouchRequest>? fulfil = null, Func<TouchRequest, TouchHold?>? hold = null)
    {
        var engine = MemberEngine.ApplyTimePassed(state, options, now);
        var lifecycle = LifecyclePolicy.Advance(state, options, now);

        var touches = new List<TouchDecision>();
        touches.AddRange(ExpiryNotices.RestateWaiting(state, options, now));
        touches.AddRange(WithdrawWaitingCouponReminders(state, options, now));
        foreach (var retried in TouchGovernor.RetryDeferred(state, options, now, hold))
        {
            touches.Add(FulfilOnSend(state, retried, fulfil));
        }

        foreach (var request in lifecycle.TouchRequests)
        {
            touches.Add(DecideThenFulfil(state, request, options, now, fulfil, hold));
        }

        foreach (var (request, lotIds) in ExpiryNotices.Due(state, options, now))
        {
            touches.Add(TouchGovernor.Decide(state, request, options, now));
            foreach (var lotId in lotIds)
            {
                PointsWallet.MarkExpiryNoticeSent(state, lotId, now);
            }
        }

        if (BirthdayTouchDue(state, options, now) is { } birthday)
        {
            touches.Add(DecideThenFulfil(state, birthday.Request, options, now, fulfil, hold));
            state.Touches.BirthdayTouchYear = birthday.Year;
        }

        return new MemberTickResult
        {
            DecidedAt = now,
            Engine = engine,
            Lifecycle = lifecycle,
            Touches = touches,
            NextDueAt = NextDueAt(state, options, now),
        };
    }

    /// <summary>
    /// Decides a touch that carries an offer, then fulfils the offer only when the touch goes out (CONTRACT.md §2.1): a
    /// touch that waits (quiet hours, a cap) keeps its request's dedupe key and is fulfilled by the retry that sends it
    /// (<see cref="FulfilOnSend"/>), so a member the touch never reaches (withdrawn when they came back, suppressed by the
    /// caps before the level ends, every channel opted out) holds no coupon nobody told them of, and the coupon counts of
    /// §5 stay honest. The granted coupon's code is attached to the touch before it is queued for the outbox.
    /// </summary>
    private static TouchDecision DecideThenFulfil(
        MemberState state, TouchRequest request, ProgramOptions options, DateTimeOffset now, Func<TouchRequest, TouchRequest>? fulfil,
        Func<TouchRequest, TouchHold?>? hold)
    {
        var decision = TouchGovernor.Decide(state, request, options, now, hold);
        if (fulfil is not null && decision is { Decision: TouchDecisions.Deferred, CouponCode: null })
        {
            TouchGovernor.KeepDedupeKey(state, decision.TouchId, request.DedupeKey);
        }

        if (fulfil is null || decision.Decision != TouchDecisions.Sent || decision.CouponCode is not null
            || fulfil(request).CouponCode is not { } code)
        {
            return decision;
        }

        TouchGovernor.AttachCoupon(state, decision.TouchId, code);
        return decision with { CouponCode = code };
    }

    /// <summary>
    /// A waiting offer touch (<see cref="DecideThenFulfil"/>) that its retry sends: its offer is fulfilled now, under the
    /// grant its first decision named (the request rebuilt from the kept dedupe key), and the code rides on the touch.
    /// </summary>
    private static TouchDecision FulfilOnSend(MemberState state, TouchDecision retried, Func<TouchRequest, TouchRequest>? fulfil)
    {
        if (fulfil is null || retried is not { Decision: TouchDecisions.Sent, CouponCode: null, DedupeKey: not null })
        {
            return retried;
        }

        // The one rebuild of a waiting touch's request (the retry's hold and the look-ahead read it the same way).
        if (fulfil(TouchGovernor.WaitingRequest(retried)).CouponCode is not { } code)
        {
            return retried;
        }

        TouchGovernor.AttachCoupon(state, retried.TouchId, code);
        return retried with { CouponCode = code };
    }

    /// <summary>
    /// The offer touches (a win-back level's, the birthday benefit's) the tick at <paramref name="now"/> may ask its hold
    /// about, judged without changing the member: the tick itself (<see cref="Run"/>) runs on a copy of the member
    /// (<c>MemberProjection.Copy</c>), after the time-driven rules (a tier placed or upgraded, a benefit granted or lost in
    /// grace), with a hold that records each request and holds it. A held touch takes no cap, so every touch the real
    /// tick asks about is named (sending one may then cap a later one: the look-ahead may name a touch the tick does not
    /// send, one look-up it did not need). Nothing is named in quiet hours or past a cap. The grain asks it before the
    /// tick, so a stock look-up is made only for a touch that goes out (docs/offers.md "Store inventory"); the copy costs a
    /// serialisation of the member, paid only while a template is tied to skus and only when the tick may ask its hold at
    /// all (<see cref="MayAskHold"/>); a quiet tick names nothing without copying.
    /// </summary>
    /// <param name="state">The member; not changed.</param>
    /// <param name="options">The programme rules.</param>
    /// <param name="now">The instant of the tick (UTC).</param>
    /// <param name="copy">How the member is copied for the trial tick; null: <c>MemberProjection.Copy</c> (a JSON round trip).</param>
    public static IReadOnlyList<TouchRequest> OfferTouchesGoingOut(
        MemberState state, ProgramOptions options, DateTimeOffset now, Func<MemberState, MemberState>? copy = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (!MayAskHold(state, options, now))
        {
            return [];
        }

        var asked = new List<TouchRequest>();
        Run((copy ?? MemberProjection.Copy)(state), options, now, fulfil: null, hold: request =>
        {
            asked.Add(request);
            return new TouchHold("look-ahead", now.AddHours(1));
        });
        return asked;
    }

    /// <summary>
    /// Whether the tick at <paramref name="now"/> (UTC) can ask its hold about anything, judged cheaply on the member as it
    /// is: a waiting touch with a dedupe key (an offer touch) is due (<see cref="TouchGovernor.DueDeferred"/>), the
    /// lifecycle is due (<see cref="LifecyclePolicy.NextDueAt"/> at or before now: a win-back level's touch), or the
    /// member's local date is inside this year's birthday window not yet touched (the date alone, not the benefit, which
    /// the tick itself may grant). False: <see cref="Run"/> at <paramref name="now"/> asks its hold about nothing.
    /// </summary>
    public static bool MayAskHold(MemberState state, ProgramOptions options, DateTimeOffset now) =>
        TouchGovernor.DueDeferred(state, now).Any(d => d.DedupeKey is not null)
        || LifecyclePolicy.NextDueAt(state, options) is { } due && due <= now
        || BirthdayWindowOpen(state, options, now) is not null;

    /// <summary>
    /// A coupon-expiry reminder that waited (quiet hours) is withdrawn when its coupon is no longer issued by the time it
    /// would go out (redeemed, voided or expired meanwhile): the member is not told a coupon they used is about to expire.
    /// </summary>
    private static List<TouchDecision> WithdrawWaitingCouponReminders(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var due = TouchGovernor.DueDeferred(state, now).Where(d => d.Kind == TouchKinds.CouponExpiryReminder && d.CouponCode is not null).ToList();
        if (due.Count == 0)
        {
            return [];
        }

        var book = Offers.MemberCoupons.BookAsOf(state, now);
        var settled = new List<TouchDecision>();
        foreach (var waiting in due)
        {
            if (book.Find(waiting.CouponCode!) is { } coupon && coupon.Status != Offers.CouponStatuses.Issued)
            {
                settled.AddRange(TouchGovernor.WithdrawDeferred(
                    state,
                    d => string.Equals(d.TouchId, waiting.TouchId, StringComparison.Ordinal),
                    $"coupon {coupon.Code} was {coupon.Status} while the reminder waited",
                    options,
                    now));
            }
        }

        return settled;
    }

    /// <summary>
    /// The birthday benefit touch, if the member holds the birthday benefit, has a birthday, is within
    /// <c>BirthdayWindowDays</c> of it (member's local calendar) and has not had this year's touch.
    /// </summary>
    public static (TouchRequest Request, int Year)? BirthdayTouchDue(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var o = options.Touches;
        if (!HoldsBirthdayBenefit(state, o) || BirthdayWindowOpen(state, options, now) is not { } window)
        {
            return null;
        }

        var (year, windowEnd, zone) = window;
        var request = new TouchRequest
        {
            Kind = TouchKinds.BirthdayBenefit,
            Channel = MemberProfile.PreferredChannel(state, o.BirthdayChannel, o.BirthdayFallbackChannel),
            PreferredChannel = o.BirthdayChannel,
            FallbackChannel = o.BirthdayFallbackChannel,
            Offer = o.BirthdayBenefitCode,
            DedupeKey = year.ToString(CultureInfo.InvariantCulture),
            ValidUntil = MemberClock.AtLocal(windowEnd, TimeOnly.MinValue, zone),
            Category = TouchCategories.Marketing,
        };
        return (request, year);
    }

    /// <summary>
    /// This year's birthday window (member's local calendar) if <paramref name="now"/> falls in it and its touch has not
    /// been decided: the year, the window's end date (exclusive) and the member's zone; null otherwise (no birthday, outside
    /// the window, or this year's touch decided). Says nothing about the birthday benefit.
    /// </summary>
    private static (int Year, DateOnly WindowEnd, TimeZoneInfo Zone)? BirthdayWindowOpen(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        if (MemberProfile.Birthday(state) is not { } birthday)
        {
            return null;
        }

        var zone = TouchGovernor.ZoneOf(state, options);
        var today = MemberClock.LocalDate(now, zone);
        var year = today.Year;
        var thisYear = BirthdayIn(birthday, year);
        if (today < thisYear)
        {
            // Early January: last year's window (a December birthday) may still be open.
            year--;
            thisYear = BirthdayIn(birthday, year);
        }

        var windowEnd = thisYear.AddDays(options.Touches.BirthdayWindowDays);
        if (today >= windowEnd || state.Touches.BirthdayTouchYear >= year)
        {
            return null;
        }

        return (year, windowEnd, zone);
    }

    /// <summary>
    /// The next instant something about the member changes without an event: a lifecycle boundary, a deferred
    /// touch, an expiry notice, a lot expiring, a tier grace ending, a held refund timing out, the next birthday.
    /// Ageing growth that starts a tier grace is not predicted; the periodic reminder catches it within a period.
    /// </summary>
    public static DateTimeOffset? NextDueAt(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var next = Earliest(LifecyclePolicy.NextDueAt(state, options), TouchGovernor.NextDeferredAt(state));
        var noticeLead = TimeSpan.FromDays(options.PointsExpiryNoticeDays);
        foreach (var lot in PointsWallet.Lots(state))
        {
            next = Earliest(next, Future(lot.ExpiresAt, now));
            if (lot.NoticeSentAt is null)
            {
                next = Earliest(next, Future(lot.ExpiresAt - noticeLead, now));
            }
        }

        next = Earliest(next, Future(TierPolicy.GraceUntil(state, options), now));
        foreach (var held in state.HeldRefunds)
        {
            next = Earliest(next, Future(held.HeldAt + options.HeldRefundTimeout, now));
        }

        if (MemberProfile.Birthday(state) is { } birthday && HoldsBirthdayBenefit(state, options.Touches))
        {
            var zone = TouchGovernor.ZoneOf(state, options);
            var today = MemberClock.LocalDate(now, zone);
            var upcoming = BirthdayIn(birthday, today.Year);
            if (upcoming <= today)
            {
                upcoming = BirthdayIn(birthday, today.Year + 1);
            }

            next = Earliest(next, MemberClock.AtLocal(upcoming, TimeOnly.MinValue, zone));
        }

        return next;
    }

    internal static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Future(DateTimeOffset? at, DateTimeOffset now) => at > now ? at : null;

    private static bool HoldsBirthdayBenefit(MemberState state, TouchOptions options) =>
        !string.IsNullOrWhiteSpace(options.BirthdayBenefitCode)
        && state.Benefits.Exists(b => string.Equals(b.Code, options.BirthdayBenefitCode, StringComparison.Ordinal));

    /// <summary>The birthday in a given year; 29 February falls on 28 February in other years.</summary>
    private static DateOnly BirthdayIn(DateOnly birthday, int year) =>
        new(year, birthday.Month, Math.Min(birthday.Day, DateTime.DaysInMonth(year, birthday.Month)));
}

/// <summary>What <see cref="MemberTick.Run"/> changed; already applied to the member state.</summary>
public sealed record MemberTickResult
{
    public DateTimeOffset DecidedAt { get; init; }

    /// <summary>Points expired, tier changes in grace, benefits granted, held refunds timed out (to the poison queue).</summary>
    public required TimePassedDecision Engine { get; init; }

    public required LifecycleDecision Lifecycle { get; init; }

    /// <summary>Every touch decision taken in this tick (sent, deferred, suppressed).</summary>
    public IReadOnlyList<TouchDecision> Touches { get; init; } = [];

    /// <summary>The touches of this tick that go to the outbox (also in <see cref="TouchGovernor.PendingPublish"/> until confirmed).</summary>
    public IReadOnlyList<TouchDecision> Sent => [.. Touches.Where(t => t.Decision == TouchDecisions.Sent)];

    /// <summary>
    /// The next instant anything about this member can change without an event. Null: nothing is scheduled.
    /// The grain should be awake then: a periodic reminder alone may fire in quiet hours every day and never
    /// reach a deferred touch's 09:00.
    /// </summary>
    public DateTimeOffset? NextDueAt { get; init; }
}
