using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.EndToEnd.Tests.Infrastructure;
using Engagement.EndToEnd.Tests.Ingestion;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.MultiSilo;

/// <summary>
/// Issue 14: two (or three) silo processes on one storage account form one cluster (the Azure membership table): the event
/// queues are shared out between them, each member has one activation cluster-wide, and when one silo is SIGKILLed
/// the other takes over its queues and finishes the stream. Marked <c>Category=MultiSilo</c>; a few minutes.
/// </summary>
[Trait("Category", "MultiSilo")]
public sealed class TwoSiloClusterTests(ITestOutputHelper output)
{
    /// <summary>How long a message received by the killed silo stays invisible; the survivor waits this long for it.</summary>
    private static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The lease-based balancer gives each of S silos Q/S queues (4 each of 8 for two, 5 or 6 of 16 for three), so a
    /// silo that joins always gets some; QueueLeaseBalanceTests checks the exact split.
    /// </summary>
    private const int QueuesForTwo = 8;

    private const int QueuesForThree = 16;

    /// <summary>
    /// The balancer's and membership's own log lines (lease acquired/released, silo declared dead), so a failure here
    /// says which step did not happen; <see cref="DumpOnFailure"/> prints them.
    /// </summary>
    private static readonly Dictionary<string, string> BalancerLogging = new()
    {
        ["Serilog__MinimumLevel__Override__Orleans.Streams.LeaseBasedQueueBalancer"] = "Debug",
        ["Serilog__MinimumLevel__Override__Orleans.Streams.PersistentStreamPullingManager"] = "Information",
        ["Serilog__MinimumLevel__Override__Orleans.Streams.PersistentStreamPullingAgent"] = "Information",
        ["Serilog__MinimumLevel__Override__Orleans.Runtime.MembershipService"] = "Information",
    };

    [Fact]
    public async Task TwoSilosShareTheQueuesReadsAgreeAndTheSurvivorOfASigkillFinishesEveryMemberExactly()
    {
        var first = SiloSettings.ForTest("pair") with
        {
            QueueCount = QueuesForTwo,
            Extra = new Dictionary<string, string>
            {
                ["Engagement__Ingestion__VisibilityTimeout"] = VisibilityTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["Engagement__Ingestion__DeliveryRetryWindow"] = "00:00:02",

                // Membership keeps its default probes (5 s, 3 missed): with 2 s probes a silo that is still starting on a
                // loaded 2-core CI machine missed its probes, was voted dead by the other and never took a queue.
            }.Concat(BalancerLogging).ToDictionary(),
        };
        var second = first with { SiloPort = SiloProcess.FreePort(), GatewayPort = SiloProcess.FreePort() };
        var model = LoadModel.OrderInsensitive("P" + Guid.NewGuid().ToString("N")[..6], members: 400, purchasesPerMember: 4, seed: 14, now: first.Clock.GetUtcNow());
        var messages = WithDuplicates(model.Messages, share: 0.05, seed: 1405);
        var queues = new SharedQueues(first);
        await queues.CreateAsync();
        await queues.PublishAsync(messages);
        output.WriteLine($"published {messages.Count} messages ({messages.Count - model.Messages.Count} duplicates) for {model.Members.Count} members");

        var a = await SiloProcess.StartAsync(first);
        SiloProcess? b = null;
        try
        {
            b = await SiloProcess.StartAsync(second);
            await Poll.UntilAsync(() => Task.FromResult(!b.HasExited && b.Output.Contains("Receiving events from queue", StringComparison.Ordinal)), TimeSpan.FromMinutes(3), "the joining silo took over some of the queues");
            Assert.False(a.HasExited, "silo A stopped while B joined");
            await Poll.UntilAsync(async () => await queues.PendingAsync() < messages.Count * 2 / 3, TimeSpan.FromMinutes(5), "a third of the events applied");

            // One activation per member, cluster-wide: while the stream runs, a read through B lies between two
            // reads through A (this load only ever adds points and growth), which two stale copies would break.
            await AssertReadsAgreeAsync(a, b, model.Members.Keys.Take(120).ToList());
            Assert.True(await queues.PendingAsync() > 0, "the stream must still be running when a silo is killed");

            await a.KillAsync();
            var killedAt = Stopwatch.StartNew();
            output.WriteLine($"killed silo A with {await queues.PendingAsync()} of {messages.Count} messages left");

            await Poll.UntilAsync(async () => await queues.PendingAsync() == 0, TimeSpan.FromMinutes(6), "the survivor drained every event queue");
            output.WriteLine($"the survivor drained the rest {killedAt.Elapsed.TotalSeconds:F1} s after the kill (visibility timeout {VisibilityTimeout.TotalSeconds} s)");

            Assert.Equal(0, await queues.PoisonCountAsync());
            Assert.False(b.HasExited, "the survivor must still run");
            await AssertMembersMatchAsync(b, model);
        }
        catch (Exception) when (DumpOnFailure(a, b))
        {
            throw;
        }
        finally
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AThirdSiloJoiningMidStreamTakesOverQueuesAndNoEventIsAppliedTwice()
    {
        var first = SiloSettings.ForTest("trio") with
        {
            QueueCount = QueuesForThree,
            Extra = new Dictionary<string, string>
            {
                ["Engagement__Ingestion__VisibilityTimeout"] = VisibilityTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["Engagement__Ingestion__DeliveryRetryWindow"] = "00:00:02",
            }.Concat(BalancerLogging).ToDictionary(),
        };
        var second = first with { SiloPort = SiloProcess.FreePort(), GatewayPort = SiloProcess.FreePort() };
        var third = first with { SiloPort = SiloProcess.FreePort(), GatewayPort = SiloProcess.FreePort() };
        var model = LoadModel.OrderInsensitive("T" + Guid.NewGuid().ToString("N")[..6], members: 300, purchasesPerMember: 4, seed: 1403, now: first.Clock.GetUtcNow());
        var messages = WithDuplicates(model.Messages, share: 0.05, seed: 1406);
        var queues = new SharedQueues(first);
        await queues.CreateAsync();
        await queues.PublishAsync(messages);

        await using var a = await SiloProcess.StartAsync(first);
        await using var b = await SiloProcess.StartAsync(second);
        await Poll.UntilAsync(async () => await queues.PendingAsync() < messages.Count * 3 / 4, TimeSpan.FromMinutes(5), "a quarter of the events applied");
        Assert.True(await queues.PendingAsync() > 0, "the stream must still be running when the third silo joins");

        await using var c = await SiloProcess.StartAsync(third);
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(c.Output.Contains("Receiving events from queue", StringComparison.Ordinal)), TimeSpan.FromMinutes(3), "the third silo took over some of the queues");
            await Poll.UntilAsync(async () => await queues.PendingAsync() == 0, TimeSpan.FromMinutes(6), "the three silos drained every event queue");

            Assert.Equal(0, await queues.PoisonCountAsync());
            await AssertMembersMatchAsync(c, model);
            await AssertReadsAgreeAsync(a, b, model.Members.Keys.Take(60).ToList());
        }
        catch (Exception) when (DumpOnFailure(a, b, c))
        {
            throw;
        }
    }

    /// <summary>Writes the silos' balancer, membership, warning and error lines to the test output; always false (an exception filter).</summary>
    private bool DumpOnFailure(params SiloProcess?[] silos)
    {
        foreach (var (silo, index) in silos.Select((s, i) => (s, i)))
        {
            if (silo is null)
            {
                continue;
            }

            var lines = silo.Output.Split('\n')
                .Where(l => (l.Contains("Orleans.Streams", StringComparison.Ordinal) && !l.Contains("Renewed leases", StringComparison.Ordinal)) || l.Contains("Membership", StringComparison.Ordinal)
                    || l.Contains("Receiving events", StringComparison.Ordinal) || l.Contains(" WRN]", StringComparison.Ordinal) || l.Contains(" ERR]", StringComparison.Ordinal))
                .TakeLast(150);
            output.WriteLine($"---- silo {(char)('A' + index)} (exited: {silo.HasExited})\n" + string.Join('\n', lines));
        }

        return false;
    }

    private static List<LoadModel.Message> WithDuplicates(List<LoadModel.Message> messages, double share, int seed)
    {
        var random = new Random(seed);
        var result = messages.ToList();
        var count = (int)(messages.Count * share);
        for (var i = 0; i < count; i++)
        {
            // A repeat lands somewhere after its original, as a producer's retry would.
            var original = random.Next(messages.Count);
            var at = result.IndexOf(messages[original]) + 1 + random.Next(Math.Max(1, result.Count / 10));
            result.Insert(Math.Min(at, result.Count), messages[original] with { });
        }

        return result;
    }

    private static async Task AssertReadsAgreeAsync(SiloProcess a, SiloProcess b, IReadOnlyList<string> members)
    {
        using var viaA = a.CreateClient(SiloProcess.SupportKey);
        using var viaB = b.CreateClient(SiloProcess.SupportKey);
        var broken = new List<string>();
        foreach (var memberId in members)
        {
            var before = await viaA.GetMemberAsync(memberId);
            var middle = await viaB.GetMemberAsync(memberId);
            var after = await viaA.GetMemberAsync(memberId);
            var (p0, g0) = Totals(before);
            var (p1, g1) = Totals(middle);
            var (p2, g2) = Totals(after);
            if (p1 < p0 || p1 > p2 || g1 < g0 || g1 > g2)
            {
                broken.Add($"{memberId}: A {p0}/{g0}, then B {p1}/{g1}, then A {p2}/{g2} (points/growth)");
            }
        }

        Assert.True(broken.Count == 0, $"{broken.Count} members read differently through the two silos:\n" + string.Join("\n", broken.Take(20)));

        static (long Points, long Growth) Totals(System.Text.Json.Nodes.JsonObject? view) =>
            view is null ? (0, 0) : (view.Int64Of("pointsBalance"), view.Int64Of("growthValue"));
    }

    private static async Task AssertMembersMatchAsync(SiloProcess silo, LoadModel model)
    {
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        var mismatches = new List<string>();
        await Parallel.ForEachAsync(model.Members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, _) =>
        {
            var (memberId, expected) = pair;
            var view = await support.GetMemberAsync(memberId);
            var actual = view is null ? (Points: -1L, Growth: -1L, Tier: "never seen") : (Points: view.Int64Of("pointsBalance"), Growth: view.Int64Of("growthValue"), Tier: view.Str("tier"));
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

    /// <summary>The event queues both silos read, used with the plain queue client as a producer would.</summary>
    private sealed class SharedQueues(SiloSettings settings)
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

        /// <summary>Each queue's messages in order from one sender per queue, the queues side by side.</summary>
        public Task PublishAsync(IReadOnlyList<LoadModel.Message> messages) =>
            Task.WhenAll(messages
                .GroupBy(m => QueuePartitioner.QueueIndex(m.MemberId!, settings.QueueCount))
                .Select(async group =>
                {
                    var queue = _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, group.Key));
                    foreach (var message in group)
                    {
                        await queue.SendMessageAsync(message.Body);
                    }
                }));

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
