using Azure.Storage.Queues;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// The dead-letter log line names what support traces a refused event by: its eventId and member (masked as the poison
/// reason masks refused text), the queue it came from and the poison message's id. It named the queues and the reason only.
/// </summary>
public sealed class DeadLetterLogTests
{
    [Fact]
    public async Task TheDeadLetterLineNamesTheMaskedEventIdAndMemberTheQueueAndTheLettersMessageId()
    {
        var queue = new QueueClient(Azurite.ConnectionString, Azurite.UniqueName("poison"), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture));
        try
        {
            var sink = new AzureQueueDeadLetterSink(queue, factory.CreateLogger<AzureQueueDeadLetterSink>());

            const string Body = """{"eventId":"pos-S014-20261128-002844","memberId":"M000108","amount":-334.06}""";
            await sink.PublishAsync("amount: must be > 0", "engagement-events-3", Body);

            var messageId = Assert.Single((await queue.PeekMessagesAsync(1)).Value).MessageId;
            var line = Assert.Single(capture.Lines(LogLevel.Warning, "Dead-lettered"));
            Assert.Contains(
                $"event {DeadLetterTrace.IdsOf(Body).EventId} of member X###### from engagement-events-3 to {queue.Name} as message {messageId}: amount: must be > 0",
                line,
                StringComparison.Ordinal);
            Assert.Equal("pos-X###-########-######", DeadLetterTrace.IdsOf(Body).EventId);
            Assert.DoesNotContain("M000108", line, StringComparison.Ordinal);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AConsumersExceptionInTheReasonIsLoggedWithTheMemberMaskedAndKeptWholeInThePoisonMessage()
    {
        var queue = new QueueClient(Azurite.ConnectionString, Azurite.UniqueName("poison"), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture));
        try
        {
            var sink = new AzureQueueDeadLetterSink(queue, factory.CreateLogger<AzureQueueDeadLetterSink>());

            const string Body = """{"eventId":"e-1","memberId":"M000108","type":"profile_update"}""";
            const string Reason = "delivery failed 2 times over 00:00:06; first failure: event e-1: its consumer kept failing for 00:00:30 (at 2026-12-06T05:50:24Z): "
                + "GrainStateTooLargeException: Refused to write state 'member' of member/M000108: its JSON is 4,310 stored characters, over the bound of 4,096 characters (Engagement:Storage:MaxGrainStateBytes).";
            await sink.PublishAsync(Reason, "engagement-events-3", Body);

            var line = Assert.Single(capture.Lines(LogLevel.Warning, "Dead-lettered"));
            Assert.DoesNotContain("M000108", line, StringComparison.Ordinal);
            Assert.Contains("GrainStateTooLargeException: Refused to write state 'member' of member/X######: its JSON", line, StringComparison.Ordinal);
            var message = Assert.Single((await queue.PeekMessagesAsync(1)).Value).Body.ToString();
            Assert.Contains("of member/M000108: its JSON", message, StringComparison.Ordinal);
            Assert.Contains("(Engagement:Storage:MaxGrainStateBytes)", message, StringComparison.Ordinal);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }
}
