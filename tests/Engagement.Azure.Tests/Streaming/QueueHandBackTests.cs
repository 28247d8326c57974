using Azure.Storage.Queues;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// What the silo's stop line waits on: each receiver the adapter creates is counted until its shutdown logged its totals;
/// the wait ends when all have handed back, or at its bound naming those that had not. The wait's clock is pinned.
/// </summary>
public sealed class QueueHandBackTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task TheWaitEndsWhenTheLastReceiverHandsBackAndNamesNone()
    {
        var clock = new FakeTimeProvider(ReceiverRig.Start);
        var handBacks = new QueueHandBacks(clock);
        var a = handBacks.Begin("q-a");
        var b = handBacks.Begin("q-b");

        var wait = handBacks.WaitAsync(Bound);
        a.Complete();
        Assert.False(wait.IsCompleted);
        Assert.Equal(["q-b"], handBacks.Pending);
        b.Complete();

        Assert.Empty(await wait.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(handBacks.Pending);
    }

    [Fact]
    public async Task AWaitThatRunsOutAtItsBoundNamesTheQueuesNotHandedBack()
    {
        var clock = new FakeTimeProvider(ReceiverRig.Start);
        var handBacks = new QueueHandBacks(clock);
        handBacks.Begin("q-stuck");
        handBacks.Begin("q-done").Complete();

        var wait = handBacks.WaitAsync(Bound);
        clock.Advance(Bound - TimeSpan.FromTicks(1));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(["q-stuck"], await wait.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task AReceiverTheAdapterCouldNotMakeIsNotWaitedFor()
    {
        // A receiver whose constructor throws (here: an idle poll interval that is not positive) never shuts down, so
        // nothing would ever hand it back: counted, every later stop would wait its whole bound and name this queue.
        var prefix = Azurite.UniqueName("hand");
        var options = new IngestionOptions { ConnectionString = Azurite.ConnectionString, QueueCount = 1, QueueNamePrefix = prefix, IdlePollMaxInterval = TimeSpan.Zero };
        var service = new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var mapper = new EngagementQueueMapper(1, prefix);
        var poison = service.GetQueueClient(options.PoisonQueueName);
        var handBacks = new QueueHandBacks(new FakeTimeProvider(ReceiverRig.Start));
        var adapter = new EngagementQueueAdapter(
            StreamNames.Provider,
            service,
            mapper,
            options,
            () => new AzureQueueDeadLetterSink(poison, NullLogger<AzureQueueDeadLetterSink>.Instance),
            new FakeTimeProvider(Wire.Now),
            NullLoggerFactory.Instance,
            handBacks: handBacks);

        Assert.Throws<ArgumentOutOfRangeException>(() => adapter.CreateReceiver(Assert.Single(mapper.GetAllQueues())));

        Assert.Empty(handBacks.Pending);
        var wait = handBacks.WaitAsync(Bound);
        Assert.True(wait.IsCompleted, "the stop's wait must not wait for a receiver that was never made");
        Assert.Empty(await wait);
    }

    [Fact]
    public async Task AReceiverTheAdapterCreatesIsWaitedForUntilItsShutdownLoggedItsTotals()
    {
        var prefix = Azurite.UniqueName("hand");
        var options = new IngestionOptions { ConnectionString = Azurite.ConnectionString, QueueCount = 1, QueueNamePrefix = prefix };
        var service = new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var mapper = new EngagementQueueMapper(1, prefix);
        var poison = service.GetQueueClient(options.PoisonQueueName);
        var log = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        var handBacks = new QueueHandBacks(new FakeTimeProvider(ReceiverRig.Start));
        var adapter = new EngagementQueueAdapter(
            StreamNames.Provider,
            service,
            mapper,
            options,
            () => new AzureQueueDeadLetterSink(poison, NullLogger<AzureQueueDeadLetterSink>.Instance),
            new FakeTimeProvider(Wire.Now),
            loggers,
            handBacks: handBacks);
        var queueId = Assert.Single(mapper.GetAllQueues());
        var queueName = mapper.QueueName(queueId);
        var receiver = (EngagementQueueReceiver)adapter.CreateReceiver(queueId);
        try
        {
            await receiver.Initialize(TimeSpan.FromSeconds(10));
            Assert.Equal([queueName], handBacks.Pending);
            var wait = handBacks.WaitAsync(Bound);
            Assert.False(wait.IsCompleted);

            await receiver.Shutdown(TimeSpan.FromSeconds(5));

            Assert.Empty(await wait.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Single(log.Lines(LogLevel.Information, "Stopped receiving from", queueName));
        }
        finally
        {
            await receiver.DisposeAsync();
            await service.GetQueueClient(queueName).DeleteIfExistsAsync();
        }
    }
}
