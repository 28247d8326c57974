using System.Text.RegularExpressions;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.MultiSilo;

/// <summary>
/// Issue 14: the event queues are shared out by blob leases (Orleans' lease-based balancer), evenly however few
/// queues there are — with 4 queues and 2 silos, 2 each, which the consistent ring does not promise — and each queue
/// has one reader: the two silos' queues never overlap. A silo that joins takes its share; one that stops
/// gracefully hands its queues back at once. Read from what each silo's pulling manager says it owns.
/// </summary>
[Trait("Category", "MultiSilo")]
[Trait("Machine", "Alone")] // needs the machine to itself: asserts how queue leases balance between two silos, which starved CPU skews
[Collection(MultiSiloCollection.Name)]
public sealed partial class QueueLeaseBalanceTests
{
    [Fact]
    public async Task TwoSilosOnFourQueuesReadTwoEachWithoutOverlapAndTheSurvivorTakesAllFourBack()
    {
        var first = SiloSettings.ForTest("lease") with
        {
            QueueCount = 4,

            // The pulling manager's "I now own N queues: [...]" lines (the silo logs Orleans at Warning by default).
            Extra = new Dictionary<string, string> { ["Serilog__MinimumLevel__Override__Orleans.Streams"] = "Information" },
        };
        var second = first with { SiloPort = SiloProcess.FreePort(), GatewayPort = SiloProcess.FreePort() };
        await using var queues = new EventQueues(first);

        await using var a = await SiloProcess.StartAsync(first);
        await Poll.UntilAsync(() => Task.FromResult(Owned(a)?.Count == 4), TimeSpan.FromMinutes(3), "the only silo owns all 4 queues");

        await using var b = await SiloProcess.StartAsync(second);
        await Poll.UntilAsync(() => Task.FromResult(Owned(a)?.Count == 2 && Owned(b)?.Count == 2), TimeSpan.FromMinutes(3), "the two silos own 2 queues each");
        var queuesOfA = Owned(a)!;
        var queuesOfB = Owned(b)!;
        Assert.Empty(queuesOfA.Intersect(queuesOfB));
        Assert.Equal(4, queuesOfA.Union(queuesOfB).Count());

        await b.StopAsync();
        await Poll.UntilAsync(() => Task.FromResult(Owned(a)?.Count == 4), TimeSpan.FromMinutes(3), "the survivor owns all 4 queues again after a graceful stop");
    }

    /// <summary>The queues a silo's pulling manager last said it owns, or null before it said anything.</summary>
    private static HashSet<string>? Owned(SiloProcess silo)
    {
        var last = OwnLine().Matches(silo.Output).LastOrDefault();
        return last is null
            ? null
            : last.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    // Orleans' PersistentStreamPullingManager: "Done Executing QueueChangeNotification number 2. I now own 2 queues: [q-1, q-3]."
    [GeneratedRegex(@"I now own \d+ queues: \[([^\]]*)\]")]
    private static partial Regex OwnLine();
}
