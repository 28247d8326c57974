using System.Diagnostics;
using Engagement.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Ingestion;

/// <summary>
/// Issue 3: events put on the queues with the plain queue client (as a Java or Node producer would) reach
/// every member exactly once, through the real silo process on Azurite. The SIGKILL cases are
/// <see cref="SiloKillIngestionTests"/>: a class of their own, so that xUnit runs them beside this 10,000-event load
/// (on its own Azurite) instead of after it.
/// </summary>
[ExpectedSeconds(95)]
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

        var queues = new EventQueues(settings);
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

    /// <summary>Reads every member of <paramref name="model"/> through <paramref name="silo"/>'s support API and fails naming those whose points, growth or tier differ.</summary>
    internal static async Task AssertMembersMatchAsync(SiloProcess silo, LoadModel model)
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
}
