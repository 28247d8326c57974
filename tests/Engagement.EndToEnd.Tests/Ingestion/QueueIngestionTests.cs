using System.Diagnostics;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Ingestion;

/// <summary>
/// Issue 3: events put on the queues with the plain queue client (as a Java or Node producer would) reach
/// every member exactly once, through the real silo process on Azurite — also across a SIGKILL.
/// </summary>
public sealed class QueueIngestionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TenThousandEventsOverAThousandMembersMatchTheRulesMemberByMemberAndPoisonIsCountedExactly()
    {
        // Its own Azurite: Azurite finds a queue's messages by scanning every message of the account, so a 10,000-
        // message backlog on the shared one made every other test's queue calls crawl (a test running beside this
        // one on CI drained 200 messages in over 3 minutes).
        await using var azurite = await DedicatedAzurite.StartAsync();
        var settings = SiloSettings.ForTest("ingest") with { ConnectionString = azurite.ConnectionString };
        var model = LoadModel.Full("I" + Guid.NewGuid().ToString("N")[..6], members: 1000, events: 10_000, duplicateShare: 0.05, malformedShare: 0.01, seed: 20261124, now: settings.Clock.GetUtcNow());
        Assert.True(model.EarlyRefunds > 0, "the load must contain refunds sent before their purchase");

        var queues = new QueueSet(settings);
        await queues.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(settings);
        var started = Stopwatch.GetTimestamp();

        // One in ten goes base64-encoded, as some SDKs and Azure Functions send.
        await queues.PublishAsync(model.Messages, base64Every: 10);
        output.WriteLine($"published {model.Messages.Count} messages ({model.Duplicates} duplicates, {model.Malformed} malformed, {model.EarlyRefunds} early refunds) in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        await Poll.UntilAsync(async () => await queues.PendingAsync() == 0, TimeSpan.FromMinutes(8), "every event queue drained");
        await Poll.UntilAsync(async () => await queues.PoisonCountAsync() >= model.Malformed, TimeSpan.FromMinutes(1), "malformed messages dead-lettered");
        output.WriteLine($"drained in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        Assert.Equal(model.Malformed, await queues.PoisonCountAsync());
        await AssertMembersMatchAsync(silo, model);
    }

    [Fact]
    public Task SiloKilledMidStreamAndStartedAgainLosesNoEventAndAppliesNoneTwice() =>
        KilledMidStreamAsync("crash", members: 150, eventsPerMessage: 1);

    [Fact]
    public Task SiloKilledMidStreamOfBatchMessagesAndStartedAgainLosesNoEventAndAppliesNoneTwice() =>
        KilledMidStreamAsync("crashb", members: 300, eventsPerMessage: 10);

    /// <summary>
    /// Kills the silo (SIGKILL) once a third of the messages are gone, starts it again, and checks every member.
    /// With batch messages a killed silo leaves messages partly applied: they come back whole and their members
    /// dedupe what they already applied.
    /// </summary>
    private async Task KilledMidStreamAsync(string name, int members, int eventsPerMessage)
    {
        var settings = SiloSettings.ForTest(name) with
        {
            Extra = new Dictionary<string, string>
            {
                // Messages a dead silo had received come back quickly.
                ["Engagement__Ingestion__VisibilityTimeout"] = "00:00:05",
                ["Engagement__Ingestion__DeliveryRetryWindow"] = "00:00:02",
            },
        };
        var model = LoadModel.OrderInsensitive("K" + Guid.NewGuid().ToString("N")[..6], members, purchasesPerMember: 4, seed: 7, now: settings.Clock.GetUtcNow());
        var queues = new QueueSet(settings);
        await queues.CreateAsync();
        var total = await queues.PublishBatchedAsync(model.Messages, eventsPerMessage);

        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            // Kill it while it is in the middle of the stream: some applied, some not.
            await Poll.UntilAsync(async () => await queues.PendingAsync() < total * 2 / 3, TimeSpan.FromMinutes(5), "a third of the events applied");
            Assert.True(await queues.PendingAsync() > 0, "the stream must still be running when the silo is killed");
            await silo.KillAsync();
            output.WriteLine($"killed with {await queues.PendingAsync()} of {total} messages left");
        }
        finally
        {
            await silo.DisposeAsync();
        }

        await using var again = await SiloProcess.StartAsync(settings);
        await Poll.UntilAsync(async () => await queues.PendingAsync() == 0, TimeSpan.FromMinutes(5), "every event queue drained after the restart");
        Assert.Equal(0, await queues.PoisonCountAsync());
        await AssertMembersMatchAsync(again, model);
    }

    private static async Task AssertMembersMatchAsync(SiloProcess silo, LoadModel model)
    {
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        var mismatches = new List<string>();
        await Parallel.ForEachAsync(model.Members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, _) =>
        {
            var (memberId, expected) = pair;
            var view = await support.GetMemberAsync(memberId);
            if (view is null)
            {
                lock (mismatches)
                {
                    mismatches.Add($"{memberId}: never seen");
                }

                return;
            }

            var actual = (Points: view.Int64Of("pointsBalance"), Growth: view.Int64Of("growthValue"), Tier: view.Str("tier"));
            if (actual != (expected.Points, expected.Growth, expected.Tier))
            {
                lock (mismatches)
                {
                    mismatches.Add($"{memberId}: expected {expected.Points} points, {expected.Growth} growth, {expected.Tier}; got {actual.Points}, {actual.Growth}, {actual.Tier}");
                }
            }
        });

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {model.Members.Count} members differ:\n" + string.Join("\n", mismatches.Take(20)));
    }

    /// <summary>The event queues and poison queue of one test, used with the plain Azure.Storage.Queues client.</summary>
    private sealed class QueueSet(SiloSettings settings)
    {
        private readonly QueueServiceClient _service = new(settings.ConnectionString);

        private IEnumerable<QueueClient> Queues => Enumerable.Range(0, settings.QueueCount).Select(i => _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, i)));

        private QueueClient Poison => _service.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(settings.QueuePrefix));

        public async Task CreateAsync()
        {
            foreach (var queue in Queues.Append(Poison))
            {
                await queue.CreateIfNotExistsAsync();
            }
        }

        /// <summary>
        /// One member's messages go in order, from one sender; members are spread over 8 senders a queue, as a
        /// POS fleet would publish side by side.
        /// </summary>
        public async Task PublishAsync(IReadOnlyList<LoadModel.Message> messages, int base64Every)
        {
            const int lanesPerQueue = 8;
            var lanes = messages
                .Select((m, i) => (Message: m, Index: i))
                .GroupBy(x =>
                {
                    var hash = x.Message.MemberId is null ? 0u : QueuePartitioner.Fnv1a32(x.Message.MemberId);
                    var queue = x.Message.MemberId is null ? 0 : QueuePartitioner.QueueIndex(x.Message.MemberId, settings.QueueCount);
                    return (Queue: queue, Lane: (int)(hash / (uint)settings.QueueCount % lanesPerQueue));
                });
            await Task.WhenAll(lanes.Select(async lane =>
            {
                var queue = _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, lane.Key.Queue));
                foreach (var (message, index) in lane)
                {
                    var body = base64Every > 0 && index % base64Every == 0 ? LoadModel.Base64(message.Body) : message.Body;
                    await queue.SendMessageAsync(body);
                }
            }));
        }

        /// <summary>
        /// Sends the messages as JSON arrays of up to <paramref name="eventsPerMessage"/> events of one queue (one
        /// object each when 1), in order per queue; returns the number of queue messages.
        /// </summary>
        public async Task<int> PublishBatchedAsync(List<LoadModel.Message> messages, int eventsPerMessage)
        {
            if (eventsPerMessage == 1)
            {
                await PublishAsync(messages, base64Every: 0);
                return messages.Count;
            }

            var batches = messages
                .GroupBy(m => QueuePartitioner.QueueIndex(m.MemberId!, settings.QueueCount))
                .SelectMany(q => q.Chunk(eventsPerMessage).Select(chunk => (Queue: q.Key, Body: "[" + string.Join(",", chunk.Select(m => m.Body)) + "]")))
                .ToList();
            await Task.WhenAll(batches.GroupBy(b => b.Queue).Select(async queue =>
            {
                var client = _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, queue.Key));
                foreach (var batch in queue)
                {
                    await client.SendMessageAsync(batch.Body);
                }
            }));
            return batches.Count;
        }

        public async Task<int> PendingAsync()
        {
            var total = 0;
            foreach (var queue in Queues)
            {
                total += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }

            return total;
        }

        public async Task<int> PoisonCountAsync() => (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }
}
