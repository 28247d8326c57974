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
    public static void QuietForAMonth(FakeTimeProvider clock)
    {
        var later = clock.GetUtcNow().AddDays(31);
        var ten = new DateTimeOffset(later.UtcDateTime.Date, TimeSpan.Zero).AddHours(2);
        clock.SetUtcNow(ten >= later ? ten : ten.AddDays(1));
    }
}
