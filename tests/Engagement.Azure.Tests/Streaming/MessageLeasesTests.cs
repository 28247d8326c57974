using Azure.Storage.Queues;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>The bookkeeping of held messages that needs no queue call (nothing here reaches Azurite).</summary>
public sealed class MessageLeasesTests
{
    [Fact]
    public async Task TheAppliedPaceKeepsNoMoreTimesThanTheReadAheadCanUse()
    {
        var options = new IngestionOptions { ConnectionString = Azurite.ConnectionString, MaxHeldEvents = 64 };
        var clock = new FakeTimeProvider(ReceiverRig.Start);
        await using var leases = new MessageLeases(new QueueServiceClient(Azurite.ConnectionString).GetQueueClient("never-called"), options, clock, NullLogger.Instance);

        // One batch message of 100 events, 99 of them applied (the message is not deleted until the last): no queue call.
        leases.Hold("m", "r", [.. Enumerable.Range(0, 100).Select(i => (long)i)]);
        for (var i = 0; i < 99; i++)
        {
            Assert.False(await leases.CompleteAsync("m", "r", i, CancellationToken.None));
        }

        Assert.Equal(64, leases.AppliedWithin(TimeSpan.FromHours(1)));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, leases.AppliedWithin(TimeSpan.FromSeconds(5)));
    }
}
