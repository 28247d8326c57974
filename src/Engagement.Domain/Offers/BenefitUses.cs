using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// Non-monetary benefits as grants with usage (CONTRACT.md §2 "non-monetary benefits are first-class", §2.1 "a grant
/// with its usage records"): a member holds a benefit through its current tier's package (<see cref="BenefitCatalog"/>,
/// so a member who loses the tier loses the benefit) or through a grant (a campaign benefit offer,
/// <see cref="OfferFulfilment.GrantBenefit"/>). A priority booking reserves a slot (<see cref="BookPriority"/>); an
/// advisor is assigned when the member holds <see cref="DedicatedAdvisor"/> or a win-back level asks for one
/// (<see cref="AssignAdvisorsDue"/>). Each use is a <see cref="BenefitUse"/> of kind <see cref="BenefitUseKinds.Used"/>.
/// </summary>
public static class BenefitUses
{
    /// <summary>The priority booking benefit's code (V3 and up by default).</summary>
    public const string PriorityBooking = "priority-booking";

    /// <summary>The dedicated advisor benefit's code (V4 by default).</summary>
    public const string DedicatedAdvisor = "dedicated-advisor";

    /// <summary>The touch kind a CRM connector receives on <c>engagement-touches</c> when an advisor is assigned (a service touch).</summary>
    public const string AdvisorAssignmentTouch = "advisor.assignment";

    /// <summary>Longest booking note, characters.</summary>
    public const int MaxNoteLength = 200;

    /// <summary>True when the member holds <paramref name="code"/>: by its current tier's package, or by a grant.</summary>
    public static bool Holds(MemberState state, ProgramOptions options, string code)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        return ByTier(state, options, code)
            || (state.Offers?.BenefitUses.Exists(u => u.Kind == BenefitUseKinds.Granted && string.Equals(u.Code, code, StringComparison.Ordinal)) ?? false);
    }

    /// <summary>
    /// Reserves a priority-booking slot for the member (idempotent by <see cref="PriorityBookingCommand.BookingId"/>: the
    /// same booking again is a replay; the same id for another slot is refused). Refusals (the caller answers 409):
    /// <see cref="BenefitRefusals.NotEntitled"/>, <see cref="BenefitRefusals.SlotInPast"/>,
    /// <see cref="BenefitRefusals.SlotTooFar"/> (more than <see cref="OffersOptions.PriorityBookingMaxDaysAhead"/> days ahead),
    /// <see cref="BenefitRefusals.SlotTaken"/> (the member already holds that slot at that store),
    /// <see cref="BenefitRefusals.BookingIdReused"/>. An accepted booking is a <see cref="BenefitUse"/> of kind used.
    /// </summary>
    public static MemberOutcome<BenefitUseReply> BookPriority(
        MemberState state, PriorityBookingCommand booking, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(booking);
        ArgumentNullException.ThrowIfNull(offers);
        var uses = MemberCoupons.OffersOf(state).BenefitUses;
        var useId = "booking:" + booking.BookingId;
        var slot = booking.SlotStart.ToUniversalTime();
        if (uses.Find(u => u.UseId == useId) is { } previous)
        {
            return previous.StoreId == booking.StoreId && previous.SlotStart == slot
                ? Reply(new BenefitUseReply(true, true, null, previous.Detail, previous), changed: false)
                : Refuse(BenefitRefusals.BookingIdReused, $"bookingId {booking.BookingId} already booked another slot ({previous.Detail})");
        }

        if (!Holds(state, options, PriorityBooking))
        {
            var from = options.Benefits.TryGetValue(PriorityBooking, out var definition) && definition.Enabled ? definition.Tier : null;
            return Refuse(BenefitRefusals.NotEntitled, from is null
                ? "priority booking is not part of the benefit package and the member holds no grant of it"
                : $"priority booking comes with tier {from} and up; the member is {state.Tier ?? "not placed in a tier"} and holds no grant of it");
        }

        if (slot <= now)
        {
            return Refuse(BenefitRefusals.SlotInPast, string.Create(CultureInfo.InvariantCulture, $"the slot starts at {slot:yyyy-MM-dd'T'HH:mm:ss'Z'}, not after now ({now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})"));
        }

        if (slot > now.AddDays(offers.PriorityBookingMaxDaysAhead))
        {
            return Refuse(BenefitRefusals.SlotTooFar, string.Create(CultureInfo.InvariantCulture, $"a slot may start at most {offers.PriorityBookingMaxDaysAhead} days ahead"));
        }

        if (uses.Exists(u => u.Code == PriorityBooking && u.StoreId == booking.StoreId && u.SlotStart == slot))
        {
            return Refuse(BenefitRefusals.SlotTaken, $"the member already holds this slot at store {booking.StoreId}");
        }

        var detail = string.Create(CultureInfo.InvariantCulture, $"priority slot {slot:yyyy-MM-dd'T'HH:mm:ss'Z'} at store {booking.StoreId}")
            + (string.IsNullOrWhiteSpace(booking.Note) ? "" : ": " + booking.Note.Trim());
        var use = new BenefitUse(useId, PriorityBooking, BenefitUseKinds.Used, now, detail) { StoreId = booking.StoreId, SlotStart = slot };
        Add(uses, use);
        return Reply(new BenefitUseReply(true, false, null, detail, use), changed: true);
    }

    /// <summary>
    /// Assigns an advisor where one is due and not yet assigned: the member holds <see cref="DedicatedAdvisor"/> (by its
    /// tier, key <c>tier:{grantedAt}</c>, so re-entering the tier assigns again; or by a grant, key <c>grant:{useId}</c>),
    /// or the win-back level the member is in asked for one (<c>LifecycleState.AdvisorRequestedAt</c>, key
    /// <c>winback:{requestedAt}</c>). Each assignment is a <see cref="BenefitUse"/> (used). A dedicated advisor also
    /// sends an <see cref="AdvisorAssignmentTouch"/> service touch on <see cref="OffersOptions.AdvisorChannel"/> (caps do
    /// not apply, opt-out does), queued in the outbox when sent: the assignment a CRM connector acts on. A win-back
    /// level's assignment sends none: that level's own touch (L2: call task, offer <c>outbound-call+advisor</c>) already
    /// carries it to the connectors. Idempotent: a second run changes nothing.
    /// </summary>
    public static MemberOutcome<IReadOnlyList<BenefitUse>> AssignAdvisorsDue(MemberState state, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(options);
        var due = AdvisorsDue(state, options);
        if (due.Count == 0 || state.Offers is { } known && due.TrueForAll(d => known.AdvisorKeys.Contains(d.Key)))
        {
            return new MemberOutcome<IReadOnlyList<BenefitUse>> { Reply = [] };
        }

        var offerState = MemberCoupons.OffersOf(state);
        var assigned = new List<BenefitUse>();
        foreach (var (key, level, why) in due.Where(d => !offerState.AdvisorKeys.Contains(d.Key)))
        {
            offerState.AdvisorKeys.Add(key);
            var use = new BenefitUse("advisor:" + key, DedicatedAdvisor, BenefitUseKinds.Used, now, "advisor assigned: " + why);
            Add(offerState.BenefitUses, use);
            assigned.Add(use);
            if (level is null)
            {
                // A win-back level's own touch (the L2 call task, offer "outbound-call+advisor") already hands the
                // assignment to the connectors: only the dedicated advisor needs a touch of its own.
                TouchGovernor.Decide(state, new TouchRequest
                {
                    Kind = AdvisorAssignmentTouch,
                    Channel = offers.AdvisorChannel,
                    Offer = DedicatedAdvisor,
                    DedupeKey = key,
                    ValidUntil = now.AddDays(7),
                    // A hand-off the connectors act on, recorded as used at once: capped (call 1 a week) it could be
                    // suppressed for good while the use says assigned. Service, as its summary says.
                    Category = TouchCategories.Service,
                }, options, now);
            }
        }

        TrimAdvisorKeys(state, offerState.AdvisorKeys);
        MemberDecider.QueueSentTouches(state);
        return new MemberOutcome<IReadOnlyList<BenefitUse>> { Reply = assigned, StateChanged = true, NextDueAt = TouchGovernor.NextDeferredAt(state) };
    }

    private static List<(string Key, int? Level, string Why)> AdvisorsDue(MemberState state, ProgramOptions options)
    {
        var due = new List<(string Key, int? Level, string Why)>(2);
        // The held list first: most members hold no advisor, and the event path runs this on every applied event.
        if (state.Benefits.Find(b => string.Equals(b.Code, DedicatedAdvisor, StringComparison.Ordinal)) is { } held
            && ByTier(state, options, DedicatedAdvisor))
        {
            due.Add(("tier:" + Stamp(held.GrantedAt), null, $"dedicated advisor of tier {state.Tier}"));
        }
        else if (state.Offers?.BenefitUses.Find(u => u.Kind == BenefitUseKinds.Granted && u.Code == DedicatedAdvisor) is { } grant)
        {
            due.Add(("grant:" + grant.UseId, null, "dedicated advisor " + grant.Detail));
        }

        var life = state.Lifecycle;
        if (life is { WinBackLevel: > 0, WinBackStartedAt: not null, AdvisorRequestedAt: { } requested, WinBackLevelEnteredAt: { } entered } && requested >= entered)
        {
            due.Add(("winback:" + Stamp(requested), life.WinBackLevel, string.Create(CultureInfo.InvariantCulture, $"win-back L{life.WinBackLevel} asked for an advisor")));
        }

        return due;
    }

    private static bool ByTier(MemberState state, ProgramOptions options, string code) =>
        state.Tier is { } tier && BenefitCatalog.For(options, tier).Any(b => string.Equals(b.Code, code, StringComparison.Ordinal));

    /// <summary>
    /// A tier benefit <paramref name="code"/> held since <paramref name="from"/> is dated <paramref name="to"/> now (a late
    /// event moved where the member reached its tier, CONTRACT.md §1.1): a dedicated advisor assigned under its first date
    /// (key <c>tier:{from}</c>) counts as assigned under the new one too, so the same tier reach is not assigned twice.
    /// The assignment is known by its key among the <see cref="MemberOfferState.MaxAdvisorKeys"/> newest, or, its key aged out
    /// of those (a key written before the held advisor's key was kept when trimming), by its use (<c>advisor:tier:{from}</c>)
    /// among the uses kept. The key under the new date is the held advisor's: it is never trimmed, so a second re-dating
    /// finds it. Nothing for other benefits or an advisor not assigned yet (it is assigned under the new date); nor when
    /// neither the key nor the use is kept any more: the advisor is then assigned again under the new date.
    /// </summary>
    internal static void TierBenefitRedated(MemberState state, string code, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (string.Equals(code, DedicatedAdvisor, StringComparison.Ordinal) && state.Offers is { } offers
            && "tier:" + Stamp(from) is var old
            && (offers.AdvisorKeys.Contains(old) || offers.BenefitUses.Exists(u => string.Equals(u.UseId, "advisor:" + old, StringComparison.Ordinal)))
            && !offers.AdvisorKeys.Contains("tier:" + Stamp(to)))
        {
            offers.AdvisorKeys.Add("tier:" + Stamp(to));
            TrimAdvisorKeys(state, offers.AdvisorKeys);
        }
    }

    /// <summary>
    /// Keeps the <see cref="MemberOfferState.MaxAdvisorKeys"/> newest advisor keys, the oldest going first, but never the key
    /// of the dedicated advisor held now (<c>tier:{grantedAt}</c>, UTC): its assignment stays known however many keys follow,
    /// so a later re-dating of that tier reach carries it (<see cref="TierBenefitRedated"/>) and it is not assigned again.
    /// </summary>
    private static void TrimAdvisorKeys(MemberState state, List<string> keys)
    {
        var held = state.Benefits.Find(b => string.Equals(b.Code, DedicatedAdvisor, StringComparison.Ordinal)) is { } advisor
            ? "tier:" + Stamp(advisor.GrantedAt)
            : null;
        for (var i = 0; keys.Count > MemberOfferState.MaxAdvisorKeys && i < keys.Count;)
        {
            if (string.Equals(keys[i], held, StringComparison.Ordinal))
            {
                i++;
            }
            else
            {
                keys.RemoveAt(i);
            }
        }
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Adds a use; beyond <see cref="MemberOfferState.MaxBenefitUses"/> the oldest uses go first (grants, which entitle, stay).</summary>
    internal static void Add(List<BenefitUse> uses, BenefitUse use)
    {
        uses.Add(use);
        while (uses.Count > MemberOfferState.MaxBenefitUses)
        {
            var oldestUse = uses.FindIndex(u => u.Kind == BenefitUseKinds.Used);
            uses.RemoveAt(oldestUse >= 0 ? oldestUse : 0);
        }
    }

    private static MemberOutcome<BenefitUseReply> Refuse(string reason, string detail) => Reply(new BenefitUseReply(false, false, reason, detail, null), changed: false);

    private static MemberOutcome<BenefitUseReply> Reply(BenefitUseReply reply, bool changed) => new() { Reply = reply, StateChanged = changed };
}

/// <summary>A priority-booking request as the member's rules see it (validated at the edge: ids 1–64 characters, note ≤ 200).</summary>
/// <param name="BookingId">The caller's idempotency key.</param>
/// <param name="StoreId">The store of the slot.</param>
/// <param name="SlotStart">When the slot starts (UTC).</param>
/// <param name="Note">What for, optional.</param>
public sealed record PriorityBookingCommand(string BookingId, string StoreId, DateTimeOffset SlotStart, string? Note);

/// <summary>What a benefit use did: accepted (or replayed), or refused with a <see cref="BenefitRefusals"/> reason.</summary>
public sealed record BenefitUseReply(bool Accepted, bool Replayed, string? Reason, string Detail, BenefitUse? Use);

/// <summary>Why a benefit use is refused (the 409 problem's <c>reason</c>).</summary>
public static class BenefitRefusals
{
    /// <summary>The member holds the benefit neither by its tier nor by a grant.</summary>
    public const string NotEntitled = "not_entitled";

    /// <summary>The slot starts now or earlier.</summary>
    public const string SlotInPast = "slot_in_past";

    /// <summary>The slot starts beyond the booking horizon.</summary>
    public const string SlotTooFar = "slot_too_far";

    /// <summary>The member already booked that slot at that store (under another booking id).</summary>
    public const string SlotTaken = "slot_taken";

    /// <summary>The booking id was used for a different slot or store.</summary>
    public const string BookingIdReused = "booking_id_reused";
}
