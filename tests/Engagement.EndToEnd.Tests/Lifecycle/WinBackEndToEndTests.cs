using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Engagement.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Issue 4 end to end: the real silo on Azurite, its table reminders ticking every second while the engine clock
/// runs 129,600× faster from the pinned <see cref="TestClock"/> instant (test-only settings: a tick is a day and a half,
/// so ticks alternate day and night),
/// and the touches read back from the <c>engagement-touches</c> queue as a channel connector would.
/// </summary>
[ExpectedSeconds(110)]
public sealed class WinBackEndToEndTests(ITestOutputHelper output)
{
    private const int Speed = 43_200;

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task QuietMemberGetsL1L2L3ThenGoesDormantAndEveryTouchReachesTheOutboxQueueOutsideQuietHours()
    {
        var touchQueue = "touches-" + Guid.NewGuid().ToString("N")[..10];
        var settings = SiloSettings.ForTest("winback") with
        {
            Extra = new Dictionary<string, string>
            {
                // Half an engine day per real second: each 8-day win-back level lasts 16 s of real time, so a silo
                // that stalls for a few seconds on a loaded machine still ticks inside every level. At 1.5 days a
                // second a stall of 6 s skipped a level, as it should (a late member is not sent stale offers).
                ["Engagement__Testing__ClockSpeed"] = Speed.ToString(CultureInfo.InvariantCulture),
                ["Engagement__Program__Lifecycle__ReminderPeriod"] = "00:00:01",
                ["Engagement__Storage__TouchQueueName"] = touchQueue,
            },
        };
        await using var queues = new EventQueues(settings);
        try
        {
            await RunAsync(settings, touchQueue);
        }
        finally
        {
            // The touch queue is this test's own: deleted so Azurite does not keep one per run.
            await new QueueClient(settings.ConnectionString, touchQueue).DeleteIfExistsAsync();
        }
    }

    private async Task RunAsync(SiloSettings settings, string touchQueue)
    {
        var memberId = "W" + Guid.NewGuid().ToString("N")[..10];
        await using var silo = await SiloProcess.StartAsync(settings);
        using var admin = silo.CreateClient();
        // Dated by the silo's engine clock, which has run ahead by half a day for every second the silo took to
        // start (two minutes on a loaded machine: 60 engine days, and a purchase dated by the real-speed test clock
        // arrived dormant). Ten engine days back from its upper bound keeps it valid (not in the future) for a
        // process that took up to 20 s to build its clock, and leaves 20 quiet days before L1.
        var occurredAt = silo.EngineNowAtMost(Speed).AddDays(-10);
        using (var response = await admin.PostEventsAsync(new { eventId = memberId + "-p1", type = "purchase", memberId, occurredAt, orderId = "O1", amount = 300m }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var queue = new QueueClient(settings.ConnectionString, touchQueue);
        var touches = new List<JsonObject>();
        await Poll.UntilAsync(
            async () =>
            {
                if (await queue.ExistsAsync())
                {
                    foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
                    {
                        touches.Add(JsonNode.Parse(message.Body.ToString())!.AsObject());
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    }
                }

                JsonObject? view;
                try
                {
                    view = await admin.GetMemberAsync(memberId);
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    // A grain call that outlasted its timeout on a loaded machine: 503 with Retry-After, and a client
                    // asks again (the poll does, on its next round).
                    output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} GET member answered 503; asking again");
                    return false;
                }

                return view!.Str("lifecycleStage") == "dormant" && touches.Count(t => t["memberId"]!.GetValue<string>() == memberId) >= 3;
            },
            TimeSpan.FromMinutes(5),
            "three win-back touches in the outbox queue and the member dormant",
            async () =>
            {
                using var support = silo.CreateClient(SiloProcess.SupportKey);
                var view = await admin.GetMemberAsync(memberId);
                var timeline = await support.GetStringAsync($"api/v1/members/{memberId}/touches");
                var log = silo.Output;
                return $"stage {view?.Str("lifecycleStage")}, {touches.Count} touches in the queue ({string.Join(", ", touches.Select(t => t["kind"]))}); timeline {timeline}\nsilo log (end):\n{log[Math.Max(0, log.Length - 6000)..]}";
            });

        var mine = touches.Where(t => t["memberId"]!.GetValue<string>() == memberId).ToList();
        foreach (var t in mine)
        {
            output.WriteLine(t.ToJsonString());
        }

        Assert.Equal(["winback.l1", "winback.l2", "winback.l3"], mine.Select(t => t["kind"]!.GetValue<string>()).ToArray());
        Assert.Equal([1, 2, 3], mine.Select(t => t["level"]!.GetValue<int>()).ToArray());
        Assert.Equal(3, mine.Select(t => t["touchId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(mine, t => Assert.False(InQuietHours(DateTimeOffset.Parse(t["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture)), "sent in quiet hours: " + t.ToJsonString()));

        // The member's timeline explains every decision, deferred ones included.
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        var timeline = (await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{memberId}/touches", Api.Json))!;
        Assert.Equal(3, timeline.Count(t => t!["decision"]!.GetValue<string>() == "sent"));
        Assert.All(timeline, t => Assert.False(string.IsNullOrWhiteSpace(t!["reason"]!.GetValue<string>())));

        // The journal behind the win-back report saw each step (engine days, which this test runs ahead of the calendar).
        // From the engine's first day to its today (the default `to`: a day not yet begun is a 400).
        var from = settings.Clock.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // GET /members shows the member as of now, so it can read "dormant" a tick before the tick that records the
        // dormancy has run and its journal row has been emitted: the report is polled, not read once.
        JsonObject? report = null;
        await Poll.UntilAsync(
            async () =>
            {
                report = (await support.GetFromJsonAsync<JsonObject>($"api/v1/reports/winback?from={from}", Api.Json))!;
                return report["wentDormant"]!.GetValue<int>() >= 1;
            },
            TimeSpan.FromMinutes(1),
            "the dormancy in the win-back report",
            () => Task.FromResult(report?.ToJsonString() ?? "no report"));
        Assert.All(report!["levels"]!.AsArray(), level => Assert.True(level!["entered"]!.GetValue<int>() >= 1));
    }

    private static bool InQuietHours(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Shanghai).TimeOfDay;
        return local >= TimeSpan.FromHours(21) || local < TimeSpan.FromHours(9);
    }
}
