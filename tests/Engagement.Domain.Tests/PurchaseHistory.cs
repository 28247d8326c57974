using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests;

/// <summary>
/// The member the allocation tests measure (<see cref="AllocationProbe"/>): purchases every second day from
/// <see cref="Start"/>, each amount 1 CNY more than the one before, each optionally followed an hour later by a share.
/// </summary>
internal static class PurchaseHistory
{
    /// <summary>02:00 UTC, 2 Mar 2026: the first purchase.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Applies <paramref name="purchases"/> purchases to <paramref name="state"/>: purchase <c>i</c> at
    /// <see cref="Start"/> + 2·i days, event <c>{idPrefix}e{i}</c>, order <c>{idPrefix}O{i}</c>, <paramref name="firstAmount"/>
    /// + i CNY; with <paramref name="shares"/>, a share <c>{idPrefix}s{i}</c> an hour after each. Returns <paramref name="state"/>.
    /// </summary>
    public static MemberState Purchases(MemberState state, int purchases, decimal firstAmount, ProgramOptions options, bool shares, string idPrefix = "")
    {
        for (var i = 0; i < purchases; i++)
        {
            var at = Start.AddDays(i * 2);
            MemberDecider.Apply(state, new MemberEvent($"{idPrefix}e{i}", MemberEventTypes.Purchase, at) { OrderId = $"{idPrefix}O{i}", Amount = firstAmount + i }, options, at);
            if (shares)
            {
                MemberDecider.Apply(state, new MemberEvent($"{idPrefix}s{i}", MemberEventTypes.Share, at.AddHours(1)), options, at.AddHours(1));
            }
        }

        return state;
    }
}
