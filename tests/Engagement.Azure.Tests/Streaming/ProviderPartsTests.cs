using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>The provider's parts without a cluster: the queue mapper, the producer side, the options, the poison format.</summary>
public sealed class ProviderPartsTests
{
    private static readonly QueueClientOptions RawText = new() { MessageEncoding = QueueMessageEncoding.None };

    [Fact]
    public void MapperSendsAMembersStreamToThePartitionersQueue()
    {
        var mapper = new EngagementQueueMapper(4, "engagement-events");
        foreach (var memberId in new[] { "M000123", "a", "wx:o6_abc", "会员" })
        {
            var queue = mapper.GetQueueForStream(StreamId.Create(StreamNames.MemberEvents, memberId));
            Assert.Equal(QueuePartitioner.QueueName(QueuePartitioner.QueueIndex(memberId, 4)), mapper.QueueName(queue));
        }
    }

    [Fact]
    public void MapperHasOneQueuePerIndexSpreadOverTheRing()
    {
        var mapper = new EngagementQueueMapper(4, "engagement-events");
        var queues = mapper.GetAllQueues().ToList();
        Assert.Equal(["engagement-events-0", "engagement-events-1", "engagement-events-2", "engagement-events-3"], queues.Select(mapper.QueueName));
        Assert.Equal(4, queues.Select(q => q.GetUniformHashCode()).Distinct().Count());
    }

    [Fact]
    public async Task OrleansProducerWritesContractJsonToThePartitionersQueue()
    {
        var (adapter, service, prefix) = NewAdapter();
        try
        {
            var evt = new EngagementEvent
            {
                EventId = "e-from-orleans",
                Type = EventTypes.Purchase,
                MemberId = "M000123",
                OccurredAt = Wire.Now.AddMinutes(-1),
                OrderId = "O-1",
                Amount = 99.90m,
                Properties = new Dictionary<string, string> { ["consent.sms"] = "true" },
            };

            await adapter.QueueMessageBatchAsync(StreamId.Create(StreamNames.MemberEvents, evt.MemberId), [evt], null, null);

            var queue = service.GetQueueClient(QueuePartitioner.QueueName(prefix, QueuePartitioner.QueueIndex(evt.MemberId, 2)));
            PeekedMessage[] peeked = await queue.PeekMessagesAsync(10);
            var text = Assert.Single(peeked).Body.ToString();
            using var json = JsonDocument.Parse(text);
            Assert.Equal("e-from-orleans", json.RootElement.GetProperty("eventId").GetString());
            Assert.Equal(99.90m, json.RootElement.GetProperty("amount").GetDecimal());
            Assert.True(EventParser.TryParse(text, Wire.Now, out var back, out var error), error);
            Assert.Equal(evt.Properties, back!.Properties);
        }
        finally
        {
            await DeleteQueuesAsync(service, prefix);
        }
    }

    [Fact]
    public async Task OrleansProducerCannotPublishAnInvalidEvent()
    {
        var (adapter, service, prefix) = NewAdapter();
        try
        {
            var evt = new EngagementEvent { EventId = "e", Type = EventTypes.Purchase, MemberId = "M1", OccurredAt = Wire.Now };
            var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
                adapter.QueueMessageBatchAsync(StreamId.Create(StreamNames.MemberEvents, "M1"), [evt], null, null));
            Assert.Contains("amount: must be > 0", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await DeleteQueuesAsync(service, prefix);
        }
    }

    [Fact]
    public async Task OrleansProducerCannotPublishOnAnotherMembersStream()
    {
        var (adapter, service, prefix) = NewAdapter();
        try
        {
            var evt = new EngagementEvent { EventId = "e", Type = EventTypes.Login, MemberId = "M1", OccurredAt = Wire.Now };
            await Assert.ThrowsAsync<ArgumentException>(() =>
                adapter.QueueMessageBatchAsync(StreamId.Create(StreamNames.MemberEvents, "M2"), [evt], null, null));
            await Assert.ThrowsAsync<ArgumentException>(() =>
                adapter.QueueMessageBatchAsync(StreamId.Create("other", "M1"), [evt], null, null));
        }
        finally
        {
            await DeleteQueuesAsync(service, prefix);
        }
    }

    [Fact]
    public async Task DeadLetterSinkWritesReasonQueueAndBody()
    {
        var queue = new QueueClient(Azurite.ConnectionString, Azurite.UniqueName("poison"), RawText);
        try
        {
            var sink = new AzureQueueDeadLetterSink(queue, NullLogger<AzureQueueDeadLetterSink>.Instance);
            var before = IngestionMetrics.PoisonedTotal;

            await sink.PublishAsync("memberId: required", "engagement-events-1", "{\"eventId\":\"x\"}");

            PeekedMessage[] peeked = await queue.PeekMessagesAsync(1);
            using var json = JsonDocument.Parse(Assert.Single(peeked).Body.ToString());
            Assert.Equal("memberId: required", json.RootElement.GetProperty("reason").GetString());
            Assert.Equal("engagement-events-1", json.RootElement.GetProperty("queue").GetString());
            Assert.Equal("{\"eventId\":\"x\"}", json.RootElement.GetProperty("body").GetString());
            Assert.True(IngestionMetrics.PoisonedTotal > before);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task ADeadLetterNeverExpiresRatherThanAfterTheQueuesDefaultSevenDays()
    {
        var queue = new QueueClient(Azurite.ConnectionString, Azurite.UniqueName("poison"), RawText);
        try
        {
            var sink = new AzureQueueDeadLetterSink(queue, NullLogger<AzureQueueDeadLetterSink>.Instance);

            await sink.PublishAsync("amount: must be at least 0", "engagement-events-1", "{\"eventId\":\"never-expires\"}");

            var dead = Assert.Single((await queue.PeekMessagesAsync(1)).Value);
            Assert.NotNull(dead.InsertedOn);
            Assert.NotNull(dead.ExpiresOn);

            // Sent without a time-to-live, Azure Queues drops the message 7 days after insertion; -1 s is "never" (9999-12-31).
            Assert.True(dead.ExpiresOn > dead.InsertedOn + TimeSpan.FromDays(365 * 100), $"inserted {dead.InsertedOn:O}, expires {dead.ExpiresOn:O}");
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public void PoisonMessageOfAHugeBodyIsCutToFitTheQueueAndSaysSo()
    {
        var body = new string('"', 64 * 1024);
        var text = AzureQueueDeadLetterSink.Compose("body: larger than 64 KB", "q", body);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= 64 * 1024);
        using var json = JsonDocument.Parse(text);
        Assert.True(json.RootElement.GetProperty("bodyTruncated").GetBoolean());
        Assert.StartsWith("\"\"\"", json.RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PoisonMessageReadsAsWrittenWhenOpenedInAQueueBrowser()
    {
        const string Body = """{"eventId":"会员-1","amount":-5}""";

        var text = AzureQueueDeadLetterSink.Compose("amount: must be > 0 and ≤ 10,000,000 for a purchase", "engagement-events-1", Body);

        // Whoever peeks the poison queue sees the reason and the producer's JSON as sent, not \u0022 and \u2264 escapes.
        Assert.Contains("\"reason\":\"amount: must be > 0 and ≤ 10,000,000 for a purchase\"", text, StringComparison.Ordinal);
        Assert.Contains("\"body\":\"{\\\"eventId\\\":\\\"会员-1\\\",\\\"amount\\\":-5}\"", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(Body, json.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public void PoisonMessageOfALoneSurrogateBodyOrAHugeReasonIsStillWritten()
    {
        var text = AzureQueueDeadLetterSink.Compose(new string('r', 100_000), "q", "s-" + '\ud800');

        using var json = JsonDocument.Parse(text);
        Assert.Equal("s-\uFFFD", json.RootElement.GetProperty("body").GetString());
        Assert.Equal(2049, json.RootElement.GetProperty("reason").GetString()!.Length);
    }

    [Fact]
    public void DefaultOptionsAreValidGivenAConnectionString()
    {
        var options = new IngestionOptions { ConnectionString = "UseDevelopmentStorage=true" };
        Assert.True(new IngestionOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(4, options.QueueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), options.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(15), options.MaxHoldTime);
        Assert.Equal(512, options.MaxHeldEvents);
        Assert.Equal(10, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromHours(24), options.PoisonAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), options.IdlePollMaxInterval);
        Assert.Equal(32, options.BatchSize);
        Assert.Equal("engagement-events-poison", options.PoisonQueueName);
    }

    [Theory]
    [InlineData(nameof(IngestionOptions.ConnectionString))]
    [InlineData(nameof(IngestionOptions.QueueCount))]
    [InlineData(nameof(IngestionOptions.BatchSize))]
    [InlineData(nameof(IngestionOptions.QueueNamePrefix))]
    [InlineData(nameof(IngestionOptions.DeliveryRetryWindow))]
    [InlineData(nameof(IngestionOptions.MaxHoldTime))]
    [InlineData(nameof(IngestionOptions.MaxHeldEvents))]
    [InlineData(nameof(IngestionOptions.CacheSize))]
    [InlineData(nameof(IngestionOptions.IdlePollMaxInterval))]
    [InlineData(nameof(IngestionOptions.PoisonAfter))]
    public void BrokenOptionsAreRefusedAtStart(string broken)
    {
        var options = new IngestionOptions { ConnectionString = "UseDevelopmentStorage=true" };
        switch (broken)
        {
            case nameof(IngestionOptions.ConnectionString): options.ConnectionString = null; break;
            case nameof(IngestionOptions.QueueCount): options.QueueCount = 0; break;
            case nameof(IngestionOptions.BatchSize): options.BatchSize = 33; break;
            case nameof(IngestionOptions.QueueNamePrefix): options.QueueNamePrefix = "Bad_Prefix"; break;
            case nameof(IngestionOptions.DeliveryRetryWindow): options.DeliveryRetryWindow = options.MaxHoldTime; break;
            case nameof(IngestionOptions.MaxHoldTime): options.MaxHoldTime = options.VisibilityTimeout; break;
            case nameof(IngestionOptions.MaxHeldEvents): options.MaxHeldEvents = options.BatchSize - 1; break;
            case nameof(IngestionOptions.CacheSize): options.CacheSize = options.MaxHeldEvents + (options.BatchSize * 100) - 1; break;
            case nameof(IngestionOptions.IdlePollMaxInterval): options.IdlePollMaxInterval = options.PollInterval - TimeSpan.FromMilliseconds(1); break;
            case nameof(IngestionOptions.PoisonAfter): options.PoisonAfter = TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1); break;
        }

        var result = new IngestionOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
    }

    [Fact]
    public async Task ALateDeliveryFailureOfAStoppedAgentDoesNotAbandonAMessageOfTheQueuesNewReceiver()
    {
        var prefix = Azurite.UniqueName("seq");
        var options = new IngestionOptions { ConnectionString = Azurite.ConnectionString, QueueCount = 1, QueueNamePrefix = prefix };
        var service = new QueueServiceClient(Azurite.ConnectionString, RawText);
        var mapper = new EngagementQueueMapper(1, prefix);
        var poison = service.GetQueueClient(options.PoisonQueueName);
        var adapter = new EngagementQueueAdapter(
            StreamNames.Provider,
            service,
            mapper,
            options,
            () => new AzureQueueDeadLetterSink(poison, NullLogger<AzureQueueDeadLetterSink>.Instance),
            new FakeTimeProvider(Wire.Now),
            NullLoggerFactory.Instance);
        var queueId = Assert.Single(mapper.GetAllQueues());
        var queue = service.GetQueueClient(mapper.QueueName(queueId));
        await queue.CreateIfNotExistsAsync();
        var a = (EngagementQueueReceiver)adapter.CreateReceiver(queueId);
        var b = (EngagementQueueReceiver)adapter.CreateReceiver(queueId);
        try
        {
            await a.Initialize(TimeSpan.FromSeconds(10));
            await b.Initialize(TimeSpan.FromSeconds(10));

            // A's agent held the first message; the queue's agent restarted with receiver B, which holds the second.
            await queue.SendMessageAsync(Wire.Login("M1", "held-by-a"));
            var heldByA = await TakeOneAsync(a);
            await queue.SendMessageAsync(Wire.Login("M2", "held-by-b"));
            var heldByB = await TakeOneAsync(b);

            // A's old agent gives up its item late: the failure goes to the queue's receiver now, B.
            adapter.DeliveryFailed(queueId, heldByA.Token);

            Assert.Equal(1, b.Leases.Count);
            Assert.Equal(1, b.Leases.HeldEvents);
            Assert.NotEqual(heldByA.Token, heldByB.Token);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await queue.DeleteIfExistsAsync();
        }
    }

    private static async Task<EngagementBatchContainer> TakeOneAsync(EngagementQueueReceiver receiver)
    {
        var taken = new List<EngagementBatchContainer>();
        await Eventually.TrueAsync(
            async () =>
            {
                taken.AddRange(ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32)));
                return taken.Count > 0;
            },
            TimeSpan.FromSeconds(20),
            "a message received");
        return Assert.Single(taken);
    }

    private static (EngagementQueueAdapter Adapter, QueueServiceClient Service, string Prefix) NewAdapter()
    {
        var prefix = Azurite.UniqueName("prod");
        var options = new IngestionOptions { ConnectionString = Azurite.ConnectionString, QueueCount = 2, QueueNamePrefix = prefix };
        var service = new QueueServiceClient(Azurite.ConnectionString, RawText);
        var adapter = new EngagementQueueAdapter(
            StreamNames.Provider,
            service,
            new EngagementQueueMapper(options.QueueCount, prefix),
            options,
            () => throw new InvalidOperationException("The producer side needs no dead-letter sink."),
            new FakeTimeProvider(Wire.Now),
            NullLoggerFactory.Instance);
        return (adapter, service, prefix);
    }

    private static async Task DeleteQueuesAsync(QueueServiceClient service, string prefix)
    {
        for (var i = 0; i < 2; i++)
        {
            await service.GetQueueClient(QueuePartitioner.QueueName(prefix, i)).DeleteIfExistsAsync();
        }
    }
}
