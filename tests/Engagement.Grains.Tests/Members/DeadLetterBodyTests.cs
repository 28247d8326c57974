using System.Text.Json;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Members;

/// <summary>CONTRACT.md §1: a dead letter carries the producer's text and queue when it came from one, else the engine's copy.</summary>
public sealed class DeadLetterBodyTests
{
    [Fact]
    public async Task AQueuedEventIsDeadLetteredWithTheProducersOwnTextAndQueue()
    {
        var sink = new InMemoryDeadLetterSink();
        var evt = new EngagementEvent { EventId = "e1", MemberId = "m1", Type = "purchase", OccurredAt = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero) };

        await sink.PublishRefusedAsync("amount: below 0", "engagement-events-2", "{\"raw\": 1}", "stream:member-events", evt);

        Assert.Equal(("amount: below 0", "engagement-events-2", "{\"raw\": 1}"), Assert.Single(sink.Letters));
    }

    [Fact]
    public async Task AnEventWithoutASourceIsDeadLetteredAsTheEnginesWebNamedCopyUnderTheFallbackQueue()
    {
        var sink = new InMemoryDeadLetterSink();
        var evt = new EngagementEvent { EventId = "e1", MemberId = "m1", Type = "purchase", OccurredAt = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero) };

        await sink.PublishRefusedAsync("memberId: wrong member", null, null, "stream:member-events", evt);

        var letter = Assert.Single(sink.Letters);
        Assert.Equal("stream:member-events", letter.Queue);
        using var body = JsonDocument.Parse(letter.Body);
        Assert.Equal("e1", body.RootElement.GetProperty("eventId").GetString());
        Assert.Equal("m1", body.RootElement.GetProperty("memberId").GetString());
    }
}
