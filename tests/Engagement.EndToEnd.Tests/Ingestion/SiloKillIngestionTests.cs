using Engagement.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Ingestion;

/// <summary>
/// Issue 3 across a SIGKILL: events put on the queues with the plain queue client reach every member exactly once
/// through the real silo process on Azurite when the silo is killed mid-stream and started again over the same storage.
/// Apart from <see cref="QueueIngestionTests"/> (the 10,000-event load), so that xUnit runs the two side by side.
/// </summary>
[Trait("Machine", "Alone")] // needs the machine to itself: kills the silo mid-ingestion with tight readiness margins
[ExpectedSeconds(87)]
public sealed class SiloKillIngestionTests(ITestOutputHelper output)
{
    [Fact]
    public Task SiloKilledMidStreamAndStartedAgainLosesNoEventAndAppliesNoneTwice() =>
        KilledMidStreamAsync("crash", members: 150, eventsPerMessage: 1);

    [Fact]
    public Task SiloKilledMidStreamOfBatchMessagesAndStartedAgainLosesNoEventAndAppliesNoneTwice() =>
        KilledMidStreamAsync("crashb", members: 300, eventsPerMessage: 5);

    /// <summary>
    /// Kills the silo (SIGKILL) once a tenth of the messages are gone, starts it again, and checks every member.
    /// With batch messages a killed silo leaves messages partly applied: they come back whole and their members
    /// dedupe what they already applied. The load needs several rounds of receives (4 queues × 32 messages each), since
    /// a silo deletes the messages of one round close together: with a single round, the queues could go from full to
    /// empty between two looks.
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
        await using var queues = new EventQueues(settings);
        await queues.CreateAsync();
        var total = await queues.PublishBatchedAsync(model.Messages, eventsPerMessage);

        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            // Kill it while it is in the middle of the stream: some applied, some not.
            await Poll.UntilAsync(async () => await queues.PendingAsync() < total * 9 / 10, TimeSpan.FromMinutes(5), "a tenth of the messages applied");
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
        await QueueIngestionTests.AssertMembersMatchAsync(again, model);
    }
}
