using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>The member's lifecycle reminder, fired by hand, and the fake engine clock moved to a tick a win-back is due at.</summary>
public static class MemberTicks
{
    /// <summary>Fires <paramref name="memberId"/>'s lifecycle reminder at <paramref name="clock"/>'s now (a day's period).</summary>
    public static Task TickAsync(IClusterClient client, TimeProvider clock, string memberId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }

    /// <summary>Moves <paramref name="clock"/> a month and a day on, to 10:00 in Shanghai (outside quiet hours): a member quiet since then is at risk.</summary>
    public static void QuietForAMonth(FakeTimeProvider clock) => clock.SetUtcNow(TenInShanghaiFrom(clock.GetUtcNow().AddDays(31)));

    /// <summary>
    /// Moves <paramref name="clock"/> on to the next 10:00 in Shanghai (less than a day; none when it shows 10:00). A
    /// collection's tests share its clock and leave it at whatever time of day they end at (minutes and hours on, or a
    /// grace's end), so a test whose touches must fall outside quiet hours after whole days starts here, not at the time
    /// of day the tests before it happened to leave.
    /// </summary>
    public static void ToTenInShanghai(FakeTimeProvider clock) => clock.SetUtcNow(TenInShanghaiFrom(clock.GetUtcNow()));

    /// <summary>The first 10:00 in Shanghai (02:00 UTC, outside quiet hours) at or after <paramref name="instant"/>.</summary>
    public static DateTimeOffset TenInShanghaiFrom(DateTimeOffset instant)
    {
        var ten = new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero).AddHours(2);
        return ten >= instant ? ten : ten.AddDays(1);
    }
}
