namespace Engagement.Api.Tests.Events;

/// <summary>
/// docs/publishing-events.md "Keys a POS must keep unique" and the status table: an eventId reused for another event is refused naming
/// <c>eventId</c> (it was answered "duplicate … already applied"); the same event sent again stays a duplicate.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class EventIdReuseApiTests(ApiHostFixture host)
{
    [Fact]
    public async Task AnEventIdReusedForAnotherOrderIsRejectedNamingEventIdAndTheSameEventAgainIsADuplicate()
    {
        var memberId = "RU" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);

        var (first, _) = await host.PostEventAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-1", amount = 10m, storeId = "S001" });
        var (again, _) = await host.PostEventAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-1", amount = 10.00m, storeId = "S001" });
        var (reused, problem) = await host.PostEventAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-2", amount = 5000m, storeId = "S002" });

        Assert.Equal("applied", first["status"]!.GetValue<string>());
        Assert.Equal("duplicate", again["status"]!.GetValue<string>());
        Assert.Equal("rejected", reused["status"]!.GetValue<string>());
        Assert.StartsWith("reused with a different event", problem!["errors"]!["eventId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(20, await host.PointsBalanceAsync(memberId));
    }
}
