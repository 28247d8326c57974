namespace Engagement.Api.Tests.Events;

/// <summary>
/// The status table of docs/publishing-events.md: a resent refund still held is answered <c>held</c> again with its first reason (it was answered
/// "duplicate … already applied", which says applied: the POS believed the refund went through).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class HeldRefundResendApiTests(ApiHostFixture host)
{
    [Fact]
    public async Task AResentHeldRefundIsStillHeldWithItsFirstReason()
    {
        var memberId = "RU" + Guid.NewGuid().ToString("N")[..10];
        var refund = new { eventId = memberId + "-r", type = "refund", memberId, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1), orderId = "O-9", amount = 10m };

        var (held, _) = await host.PostEventAsync(refund);
        var (resent, _) = await host.PostEventAsync(refund);

        Assert.Equal("held", held["status"]!.GetValue<string>());
        Assert.Equal(("held", held["reason"]!.GetValue<string>()), (resent["status"]!.GetValue<string>(), resent["reason"]!.GetValue<string>()));
        Assert.Contains("O-9 not seen yet", held["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
