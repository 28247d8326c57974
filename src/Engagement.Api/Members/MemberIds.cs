using Engagement.Contracts.Events;

namespace Engagement.Api.Members;

/// <summary>
/// The memberId rule of CONTRACT.md §1, the same for the queue and every endpoint: 1–64 chars of
/// <c>A–Z a–z 0–9 _ - . :</c>, not <c>.</c> or <c>..</c> (<see cref="EventValidator.IsValidMemberId"/>).
/// </summary>
public static class MemberIds
{
    public const string Rule = EventValidator.MemberIdRule;

    public static bool IsValid(string? memberId) => EventValidator.IsValidMemberId(memberId);
}
