using System.Security.Claims;
using Engagement.Api.Hosting;
using Engagement.Api.Members;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Events;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.AspNetCore.Mvc;

namespace Engagement.Api.Offers;

/// <summary>
/// Non-monetary benefits in use (CONTRACT.md §2.1): <c>POST /members/{memberId}/benefits/priority-booking/bookings</c>
/// <c>{bookingId, storeId, slotStart, note?}</c> reserves a priority slot for a member who holds the benefit (by tier or
/// by grant; rules in <see cref="BenefitUses"/>). Support, admin and store keys (a store books at its counter).
/// 201 with the booking; the same booking again 200 <c>replayed</c>; 400 naming the field; 404 for an unknown member;
/// 409 whose <c>reason</c> says why: <c>not_entitled</c>, <c>slot_in_past</c>, <c>slot_too_far</c>, <c>slot_taken</c>,
/// <c>booking_id_reused</c>.
/// </summary>
public static class BenefitEndpoints
{
    public static IEndpointRouteBuilder MapBenefitEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/members/{memberId}/benefits/priority-booking/bookings", BookAsync).WithTags("benefits")
            .RequireAuthorization(p => p.RequireRole(ApiRoles.Support, ApiRoles.Admin, ApiRoles.Store)).WithMemberDeadline(MemberDeadlineKind.Command)
            .WithSummary("Book a priority slot {bookingId, storeId, slotStart, note?} for a member holding priority booking; 409 names why not; idempotent by bookingId");
        return routes;
    }

    private static async Task<IResult> BookAsync(string memberId, [FromBody] PriorityBookingRequest? request, IGrainFactory grains, ClaimsPrincipal user)
    {
        if (StoreKeyScope.Refusal(user, request?.StoreId) is { } notThisStore)
        {
            return notThisStore;
        }

        var errors = new FieldErrors();
        if (!MemberIds.IsValid(memberId))
        {
            errors.Add("memberId", MemberIds.Rule);
        }

        if (request is null)
        {
            errors.Add("body", "a JSON object {bookingId, storeId, slotStart, note?} is required");
            return errors.ToProblem();
        }

        if (!OfferIds.IsValid(request.BookingId))
        {
            errors.Add("bookingId", OfferIds.Rule);
        }

        if (!OfferIds.IsValid(request.StoreId))
        {
            errors.Add("storeId", OfferIds.Rule);
        }

        if (request.SlotStart is null)
        {
            errors.Add("slotStart", "required: the slot's start, an ISO-8601 instant with offset");
        }

        if (request.Note is { } note && EventBounds.CodePoints(note) > BenefitUses.MaxNoteLength)
        {
            errors.Add("note", $"at most {BenefitUses.MaxNoteLength} characters");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var result = await grains.GetGrain<IBenefitHolder>(memberId).BookPriorityAsync(request);
        return result.Status switch
        {
            PriorityBookingResult.Booked => Results.Created($"/api/v1/members/{memberId}", result),
            PriorityBookingResult.Replayed => Results.Ok(result),
            PriorityBookingResult.NotFound => OfferProblems.NotFound("Member not found", result.Detail),
            _ => OfferProblems.Conflict(TitleOf(result.Reason), result.Detail, result.Reason ?? "refused"),
        };
    }

    private static string TitleOf(string? reason) => reason switch
    {
        BenefitRefusals.NotEntitled => "The member does not hold priority booking",
        BenefitRefusals.SlotInPast => "The slot is in the past",
        BenefitRefusals.SlotTooFar => "The slot is beyond the booking horizon",
        BenefitRefusals.SlotTaken => "The member already holds this slot",
        BenefitRefusals.BookingIdReused => "The bookingId was used for another slot",
        _ => "Booking refused",
    };
}
