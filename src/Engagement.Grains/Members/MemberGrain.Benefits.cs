using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// Non-monetary benefits in use (<see cref="IBenefitHolder"/>; rules in <see cref="BenefitUses"/>): a priority booking on
/// the member's one-write path, and the advisor assignments an event or a tick makes due (a V4 member's dedicated
/// advisor, a win-back level's advisor), which ride on that step's write and outbox.
/// </summary>
public sealed partial class MemberGrain : IBenefitHolder
{
    /// <inheritdoc />
    public Task<PriorityBookingResult> BookPriorityAsync(PriorityBookingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(async () =>
        {
            if (!state.RecordExists)
            {
                return new PriorityBookingResult { Status = PriorityBookingResult.NotFound, Detail = "member has never been seen" };
            }

            await UseCurrentRulesAsync();
            var now = time.GetUtcNow();
            var command = new PriorityBookingCommand(request.BookingId, request.StoreId, request.SlotStart ?? default, request.Note);
            var outcome = BenefitUses.BookPriority(Member, command, Offers, _options, now);
            await CommitAsync(outcome.StateChanged);
            var reply = outcome.Reply;
            if (outcome.StateChanged)
            {
                LogPriorityBooked(MemberId, request.BookingId, request.StoreId, command.SlotStart);
            }

            return new PriorityBookingResult
            {
                Status = reply.Accepted ? (reply.Replayed ? PriorityBookingResult.Replayed : PriorityBookingResult.Booked) : PriorityBookingResult.Refused,
                Reason = reply.Reason,
                Detail = reply.Detail,
                Booking = reply.Use is { } use ? ToView(use) : null,
            };
        });
    }

    /// <summary>Advisor assignments due after an event or a tick (in memory only; the caller writes). True when any was made.</summary>
    private MemberOutcome<IReadOnlyList<BenefitUse>> AssignAdvisors(DateTimeOffset now)
    {
        var outcome = BenefitUses.AssignAdvisorsDue(Member, Offers, _options, now);
        foreach (var use in outcome.Reply)
        {
            LogAdvisorAssigned(MemberId, use.UseId, use.Detail);
        }

        return outcome;
    }

    private static BenefitGrantView ToView(BenefitUse u) =>
        new() { UseId = u.UseId, Code = u.Code, Kind = u.Kind, At = u.At, Detail = u.Detail, StoreId = u.StoreId, SlotStart = u.SlotStart };

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} booked priority slot {SlotStart} at {StoreId} (booking {BookingId})")]
    private partial void LogPriorityBooked(string memberId, string bookingId, string storeId, DateTimeOffset slotStart);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} was assigned an advisor ({UseId}): {Detail}")]
    private partial void LogAdvisorAssigned(string memberId, string useId, string detail);
}
