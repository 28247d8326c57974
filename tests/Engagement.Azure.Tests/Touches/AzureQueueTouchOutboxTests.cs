using System.Text.Json;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Touches;
using Engagement.Contracts.Touches;

namespace Engagement.Azure.Tests.Touches;

public sealed class AzureQueueTouchOutboxTests : IAsyncLifetime
{
    private readonly string _queueName = Azurite.UniqueName("touches-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await StorageClients.Queues().GetQueueClient(_queueName).DeleteIfExistsAsync();

    [Fact]
    public async Task EachTouchBecomesOnePlainJsonMessageInTheContractShape()
    {
        var outbox = new AzureQueueTouchOutbox(StorageClients.Queues(), _queueName);
        var createdAt = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
        TouchMessage[] touches =
        [
            new() { TouchId = "t-1", MemberId = "M1", Channel = "sms", Kind = "winback.l1", Level = 1, Offer = "no-threshold-coupon", CouponCode = "7KQ2M9XD4HTRWB3N", CreatedAt = createdAt },
            new() { TouchId = "t-2", MemberId = "M2", Channel = "push", Kind = "campaign", CampaignId = "WINTER", CreatedAt = createdAt },
        ];

        await outbox.SendAsync(touches);

        var queue = StorageClients.Queues().GetQueueClient(_queueName);
        var messages = (await queue.ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(2, messages.Length);
        var bodies = messages.Select(m => m.Body.ToString()).ToList();

        using var first = JsonDocument.Parse(bodies.Single(b => b.Contains("\"t-1\"", StringComparison.Ordinal)));
        Assert.Equal(
            ["touchId", "memberId", "channel", "kind", "campaignId", "level", "offer", "couponCode", "createdAt"],
            first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("7KQ2M9XD4HTRWB3N", first.RootElement.GetProperty("couponCode").GetString());
        Assert.Equal("sms", first.RootElement.GetProperty("channel").GetString());
        Assert.Equal(1, first.RootElement.GetProperty("level").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.RootElement.GetProperty("campaignId").ValueKind);
        Assert.Equal(createdAt, first.RootElement.GetProperty("createdAt").GetDateTimeOffset());

        var parsed = bodies.Select(b => AzureQueueTouchOutbox.Deserialize(b)!).OrderBy(t => t.TouchId, StringComparer.Ordinal).ToList();
        Assert.Equal(touches, parsed);
    }

    [Fact]
    public async Task SendingNothingDoesNotNeedTheQueue()
    {
        var outbox = new AzureQueueTouchOutbox(StorageClients.Queues(), _queueName);

        await outbox.SendAsync([]);

        Assert.False(await StorageClients.Queues().GetQueueClient(_queueName).ExistsAsync());
    }
}
