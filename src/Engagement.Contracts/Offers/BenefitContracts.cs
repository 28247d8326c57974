using Engagement.Contracts.Members;

namespace Engagement.Contracts.Offers;

/// <summary>
/// A member's non-monetary benefits in use (key memberId; CONTRACT.md §2.1 "a grant with its usage records"),
/// implemented by the member grain: a priority booking is a use of the <c>priority-booking</c> benefit, recorded on the
/// member's one write. Grants and uses are shown by <c>GET /members/{memberId}</c> (<c>benefitGrants</c>).
/// </summary>
public interface IBenefitHolder : IGrainWithStringKey
{
    /// <summary>Reserves a priority-booking slot; idempotent by bookingId.</summary>
    Task<PriorityBookingResult> BookPriorityAsync(PriorityBookingRequest request);
}

/// <summary>
/// <c>POST /members/{memberId}/benefits/priority-booking/bookings</c>: <c>{bookingId, storeId, slotStart, note?}</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.priority-booking-request.v1")]
public sealed record PriorityBookingRequest
{
    /// <summary>The caller's idempotency key (1–64 characters of <see cref="OfferIds"/>).</summary>
    [Id(0)] public string BookingId { get; init; } = "";

    /// <summary>The store of the slot (<see cref="OfferIds"/>).</summary>
    [Id(1)] public string StoreId { get; init; } = "";

    /// <summary>
    /// When the slot starts, an instant with offset (stored as UTC); after now, within the booking horizon. In JSON a
    /// time without an offset is refused (<see cref="Campaigns.OptionalOffsetDateTimeJsonConverter"/>).
    /// </summary>
    [Id(2)]
    [System.Text.Json.Serialization.JsonConverter(typeof(Campaigns.OptionalOffsetDateTimeJsonConverter))]
    public DateTimeOffset? SlotStart { get; init; }

    /// <summary>What for, at most 200 characters.</summary>
    [Id(3)] public string? Note { get; init; }
}

/// <summary>
/// What a booking did: <c>booked</c>, <c>replayed</c> (the same booking before), <c>refused</c> (with
/// <see cref="Reason"/>: <c>not_entitled</c>, <c>slot_in_past</c>, <c>slot_too_far</c>, <c>slot_taken</c>,
/// <c>booking_id_reused</c>) or <c>not_found</c> (the member has never been seen).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.priority-booking-result.v1")]
public sealed record PriorityBookingResult
{
    public const string Booked = "booked";
    public const string Replayed = "replayed";
    public const string Refused = "refused";
    public const string NotFound = "not_found";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public string? Reason { get; init; }

    [Id(2)] public string Detail { get; init; } = "";

    /// <summary>The usage record, when booked or replayed.</summary>
    [Id(3)] public BenefitGrantView? Booking { get; init; }
}
