using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Touches;

/// <summary>
/// When a touch held for stock is decided again (<see cref="TouchHold.RetryWithin"/>, docs/offers.md "Store inventory"):
/// at its retry, at its last look when the retry comes after it, and at its window's end once past the last look.
/// Quiet hours 21:00–09:00 Shanghai.
/// </summary>
public sealed class TouchHoldTests
{
    private static readonly TimeSpan Offset = TimeSpan.FromHours(8);
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.CreateCustomTimeZone("test+8", Offset, "test+8", "test+8");
    private static readonly TouchOptions Options = new();

    private static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Offset);

    [Fact]
    public void ABirthdayHeldAtItsLastLookWithAShortRetryIsDecidedWhenItsWindowClosesNotInsideQuietHours()
    {
        // Window ends at midnight; the last look is 20:45. Held at 20:45 with StockRetryHours 1, the 21:45 retry would
        // fall in quiet hours and be suppressed for another reason: it is decided at the window's end instead.
        var end = Local(24, 0);
        var hold = new TouchHold("held for stock", Local(23, 21, 45));

        Assert.Equal(end, hold.RetryWithin(end, Local(23, 20, 45), Shanghai, Options, quietBinds: true));
        Assert.Equal(end, hold.RetryWithin(end, Local(23, 21, 0), Shanghai, Options, quietBinds: true));
        Assert.Equal(Local(23, 20, 45), new TouchHold("held", Local(23, 22, 0)).RetryWithin(end, Local(23, 16, 0), Shanghai, Options, quietBinds: true));
    }

    [Fact]
    public void AWindowEndingJustAfterQuietHoursGetsItsLastLookWhenTheyEndNotTheEveningBefore()
    {
        // An L1 window ending 09:05: the last look (08:50) falls in quiet hours that end at 09:00, before the window does.
        var end = Local(24, 9, 5);
        var heldEarly = new TouchHold("held", Local(24, 14, 0));

        Assert.Equal(Local(24, 9, 0), heldEarly.RetryWithin(end, Local(24, 8, 0), Shanghai, Options, quietBinds: true));
        // Held the evening before, its retry (02:00) is before that last look: kept, not pulled back to 20:45.
        Assert.Equal(Local(24, 2, 0), new TouchHold("held", Local(24, 2, 0)).RetryWithin(end, Local(23, 20, 0), Shanghai, Options, quietBinds: true));
        Assert.Equal(end, new TouchHold("held", Local(24, 10, 0)).RetryWithin(end, Local(24, 9, 0), Shanghai, Options, quietBinds: true));
    }

    [Fact]
    public void QuietHoursBindEveryTouchButServiceOnesWhenServiceIsLetThroughAndTheLastLookFollowsThatOneRule()
    {
        var letThrough = new TouchOptions { ServiceRespectsQuietHours = false };

        Assert.True(Options.QuietHoursBind(TouchCategories.Marketing));
        Assert.True(Options.QuietHoursBind(TouchCategories.Service));
        Assert.True(letThrough.QuietHoursBind(TouchCategories.Marketing));
        Assert.False(letThrough.QuietHoursBind(TouchCategories.Service));
        Assert.True(letThrough.QuietHoursBind("unknown")); // the caps treat anything not service as marketing

        // A service touch with quiet hours not binding it gets its last look 15 min before midnight, not at 20:45.
        var end = Local(24, 0);
        var hold = new TouchHold("held", Local(24, 4, 0));
        Assert.Equal(Local(23, 23, 45), hold.RetryWithin(end, Local(23, 16, 0), Shanghai, letThrough, letThrough.QuietHoursBind(TouchCategories.Service)));
        Assert.Equal(Local(23, 20, 45), hold.RetryWithin(end, Local(23, 16, 0), Shanghai, letThrough, letThrough.QuietHoursBind(TouchCategories.Marketing)));
    }
}
