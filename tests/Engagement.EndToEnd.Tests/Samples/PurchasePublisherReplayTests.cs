using Azure.Storage.Queues;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Samples;

/// <summary>
/// <c>PurchasePublisher replay</c> summarises a file by what its lines are: events by type, and the repeats and
/// malformed lines apart. It used to label each line by its <c>type</c> field alone, so generate's junk (a purchase
/// without its memberId or orderId, an unknown <c>"type": "sale"</c>) was counted as events: "purchase 435" where
/// generate made 422, beside "sale 1" and "checkout 1". The dry run prints the same summary without a queue service.
/// A line holding a JSON array is a batch message (CONTRACT.md §1, up to 100 events): replay counted it as one malformed
/// line; it is sent as it is, one queue message, and its events are counted like single-event lines, while a line the
/// engine refuses whole (not JSON, an empty array, more than 100 events) is still one malformed message.
/// </summary>
public sealed class PurchasePublisherReplayTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2); // a hang guard, not a timing assertion

    [Fact]
    public async Task AReplayOfAGeneratedFileCountsTheEventsGenerateMadeByTypeAndItsJunkAndRepeatsApart()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var file = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (generated, generateOutput) = await DotnetCommand.RunAsync(dll,
                ["--members", "40", "--events", "600", "--seed", "7", "--malformed", "0.1", "--duplicates", "0.05", "--start", "2026-11-20", "--days", "3", "--out", file, "--dry-run"],
                new Dictionary<string, string>(), Guard);
            Assert.True(generated == 0, generateOutput);
            var (replayed, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);

            Assert.True(replayed == 0, output);
            var validByType = After(generateOutput, "unique valid events ").Split(": ", 2)[1];
            Assert.Equal(validByType, After(output, "by type:   "));
            var malformed = After(generateOutput, "  malformed ").Split(':')[0];
            var duplicates = After(generateOutput, "  duplicates ").Split(' ')[0];
            Assert.StartsWith($"(duplicate) {duplicates}, (malformed) {malformed} ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.True(int.Parse(malformed, System.Globalization.CultureInfo.InvariantCulture) >= 50, generateOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AReplayDryRunCountsABatchLinesEventsByTypeAndALineRefusedWholeAsOneMalformed()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var file = await WriteMixedFileAsync();
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);

            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 100, login 1, purchase 2", After(output, "by type:   "));
            Assert.StartsWith("(duplicate) 1, (malformed) 5 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("replaying 6 lines (109 events) from", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AReplaySendsABatchLineAsOneQueueMessageAsItIsAndCountsItsEvents()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var file = await WriteMixedFileAsync();
        var prefix = "replay" + Guid.NewGuid().ToString("N")[..12];
        var queue = new QueueServiceClient(Azurite.ConnectionString).GetQueueClient(prefix + "-0");
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(
                dll,
                ["replay", "--file", file, "--prefix", prefix, "--queues", "1", "--batch", "10"],
                new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString },
                Guard);

            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 100, login 1, purchase 2", After(output, "by type:   "));
            Assert.StartsWith("(duplicate) 1, (malformed) 5 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("sent 109 events in 6 queue messages", output, StringComparison.Ordinal);
            var bodies = new List<string>();
            foreach (var message in (await queue.ReceiveMessagesAsync(maxMessages: 32)).Value)
            {
                bodies.Add(message.Body.ToString());
            }

            var lines = (await File.ReadAllLinesAsync(file)).Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(lines, bodies.Order(StringComparer.Ordinal).ToList());
        }
        finally
        {
            File.Delete(file);
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AReplayCountsALineOverTheEnginesMessageLimitOrNestingAsOneMalformedAndBase64CountsItsThird()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var deep = new string('[', 40) + new string(']', 40);
        var raw = await WriteLinesAsync(
            Event("big-0", "purchase", "M1", ""","orderId":"O-1","amount":10.00"""),
            Batch("huge", 100, 700), // about 80 KB: over 64 KB as it is
            Event("deep-0", "purchase", "M2", $$""","orderId":"O-2","amount":10.00,"properties":{"a":{{deep}}}"""));
        var wide = await WriteLinesAsync(
            Event("b64-0", "purchase", "M1", ""","orderId":"O-1","amount":10.00"""),
            Batch("wide", 100, 420)); // about 55 KB: under 64 KB raw, over it as base64
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", raw, "--dry-run"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("purchase 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 2 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("replaying 3 lines (3 events) from", output, StringComparison.Ordinal);
            Assert.Contains("warning: line 2: ", output, StringComparison.Ordinal);

            (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", wide, "--dry-run"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 100, purchase 1", After(output, "by type:   "));

            (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", wide, "--dry-run", "--base64"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("purchase 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 1 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("replaying 2 lines (2 events) from", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(raw);
            File.Delete(wide);
        }
    }

    [Fact]
    public async Task AReplayOfAFileWithALineOverTheEnginesMessageLimitSendsNothingAndNamesTheLine()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var file = await WriteLinesAsync(Event("lim-0", "purchase", "M1", ""","orderId":"O-1","amount":10.00"""), Batch("lim", 100, 700));
        var prefix = "replay" + Guid.NewGuid().ToString("N")[..12];
        var queue = new QueueServiceClient(Azurite.ConnectionString).GetQueueClient(prefix + "-0");
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(
                dll,
                ["replay", "--file", file, "--prefix", prefix, "--queues", "1"],
                new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString },
                Guard);

            Assert.True(exitCode == 1, output);
            Assert.Contains("error: line 2: ", output, StringComparison.Ordinal);
            Assert.Contains("Nothing sent.", output, StringComparison.Ordinal);
            Assert.False((await queue.ExistsAsync()).Value && (await queue.PeekMessagesAsync(maxMessages: 32)).Value.Length > 0, "the replay sent part of a file it refused:\n" + output);
        }
        finally
        {
            File.Delete(file);
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AReplayOnTwoQueuesSendsABatchLineOfTwoMembersToItsFirstMembersQueueAndWarns()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var (first, second) = ("M-span-1", "M-span-2");
        var line = "[" + string.Join(",", Event("span-1", "login", first), Event("span-2", "login", second), Event("span-3", "browse", first)) + "]";
        var file = await WriteLinesAsync(line);
        var prefix = "replay" + Guid.NewGuid().ToString("N")[..12];
        var service = new QueueServiceClient(Azurite.ConnectionString);
        var queues = new[] { service.GetQueueClient(prefix + "-0"), service.GetQueueClient(prefix + "-1") };
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(
                dll,
                ["replay", "--file", file, "--prefix", prefix, "--queues", "2"],
                new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString },
                Guard);

            Assert.True(exitCode == 0, output);
            Assert.Contains("warning: 1 batch line(s) hold events of more than one member (line 1)", output, StringComparison.Ordinal);
            var expected = (int)(Engagement.Contracts.Events.QueuePartitioner.Fnv1a32(first) % 2);
            Assert.NotEqual(expected, (int)(Engagement.Contracts.Events.QueuePartitioner.Fnv1a32(second) % 2)); // the test means something
            var bodies = new List<string>[2];
            for (var i = 0; i < 2; i++)
            {
                bodies[i] = (await queues[i].ReceiveMessagesAsync(maxMessages: 32)).Value.Select(m => m.Body.ToString()).ToList();
            }

            Assert.Equal([line], bodies[expected]);
            Assert.Empty(bodies[1 - expected]);
        }
        finally
        {
            File.Delete(file);
            foreach (var queue in queues)
            {
                await queue.DeleteIfExistsAsync();
            }
        }
    }

    [Fact]
    public async Task AReplayLabelsABase64LineByItsJsonAsTheEngineDecodesItAndUnderBase64AsEncodedTwice()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
        var file = await WriteLinesAsync(
            B64(Event("b64-1", "purchase", "M1", ""","orderId":"O-1","amount":10.00""")),
            B64("[" + Event("b64-2", "login", "M1") + "," + Event("b64-3", "browse", "M1") + "]"),
            B64("hello"),
            "not base64 at all!",
            Event("b64-4", "share", "M1"));
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 1, login 1, purchase 1, share 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 2 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("replaying 5 lines (6 events) from", output, StringComparison.Ordinal);

            (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run", "--base64"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("share 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 4 ", After(output, "not events: "), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AReplayOfManyLinesOverTheEnginesMessageLimitNamesTheFirstTenAndTheCount()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var big = Event("big", "browse", "M1", $$""","properties":{"note":"{{new string('x', 70 * 1024)}}"}""");
        var file = await WriteLinesAsync(Enumerable.Repeat(big, 12).ToArray());
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Contains("warning: line 1: ", output, StringComparison.Ordinal);
            Assert.Contains("; line 10: ", output, StringComparison.Ordinal);
            Assert.DoesNotContain("line 11: ", output, StringComparison.Ordinal);
            Assert.Contains("; ... (12 lines in all): over the engine's 64 KB", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A lone surrogate escape (<c>"\\ud800"</c>) is valid JSON but no .NET string: GetString throws on it. Replay caught
    /// only JsonException, so such a memberId crashed the dry run, the counting pass (--queues &gt; 1) and, under --batch,
    /// the sending mid-file after earlier lines went. The engine dead-letters that one event; replay counts it malformed.
    /// </summary>
    [Fact]
    public async Task AReplayCountsAnEventWithALoneSurrogateEscapeAsOneMalformedAndSendsEveryLine()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        string[] lines = [Event("sur-1", "login", "M-sur-1"), Event("sur-2", "login", "\\ud800"), Event("sur-3", "browse", "M-sur-3")];
        var file = await WriteLinesAsync(lines);
        var prefix = "replay" + Guid.NewGuid().ToString("N")[..12];
        var service = new QueueServiceClient(Azurite.ConnectionString);
        var queues = new[] { service.GetQueueClient(prefix + "-0"), service.GetQueueClient(prefix + "-1") };
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 1, login 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 1 ", After(output, "not events: "), StringComparison.Ordinal);

            (exitCode, output) = await DotnetCommand.RunAsync(
                dll,
                ["replay", "--file", file, "--prefix", prefix, "--queues", "2", "--batch", "10"],
                new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString },
                Guard);

            Assert.True(exitCode == 0, output);
            Assert.Equal("browse 1, login 1", After(output, "by type:   "));
            Assert.StartsWith("(malformed) 1 ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.Contains("sent 3 events in ", output, StringComparison.Ordinal);
            var bodies = new List<string>();
            foreach (var queue in queues)
            {
                bodies.AddRange((await queue.ReceiveMessagesAsync(maxMessages: 32)).Value.Select(m => m.Body.ToString()));
            }

            var sent = string.Join("\n", bodies);
            Assert.All(lines, line => Assert.Contains(line, sent, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
            foreach (var queue in queues)
            {
                await queue.DeleteIfExistsAsync();
            }
        }
    }

    private static string Event(string id, string type, string member, string extra = "") =>
        $$"""{"eventId":"{{id}}","type":"{{type}}","memberId":"{{member}}","occurredAt":"2026-11-23T08:39:16+08:00"{{extra}}}""";

    /// <summary>A batch line of <paramref name="count"/> browses of one member, each padded with a note of <paramref name="pad"/> characters.</summary>
    private static string Batch(string id, int count, int pad) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i => Event($"{id}-{i}", "browse", "M3", $$""","properties":{"note":"{{new string('x', pad)}}"}"""))) + "]";

    private static async Task<string> WriteLinesAsync(params string[] lines)
    {
        var file = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        return file;
    }

    /// <summary>
    /// Six lines: one purchase; a batch of a login, a purchase, a repeat of the first purchase, a <c>sale</c> and a number
    /// (three events, a duplicate, two malformed); broken JSON, an empty array and an array of 101 events (each refused
    /// whole: one malformed each); and a batch of 100 browses (the most one message may carry).
    /// </summary>
    private static async Task<string> WriteMixedFileAsync()
    {
        static string Event(string id, string type, string member, string extra = "") =>
            $$"""{"eventId":"{{id}}","type":"{{type}}","memberId":"{{member}}","occurredAt":"2026-11-23T08:39:16+08:00"{{extra}}}""";
        var purchase = Event("rp-1", "purchase", "M1", ""","orderId":"O-1","amount":268.50""");
        string[] lines =
        [
            purchase,
            "[" + string.Join(",", Event("rp-2", "login", "M2"), Event("rp-3", "purchase", "M1", ""","orderId":"O-3","amount":12.00"""), purchase, Event("rp-4", "sale", "M2"), "42") + "]",
            """{"eventId": "rp-5", "type": """,
            "[]",
            "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => Event($"rp-big-{i}", "browse", "M3"))) + "]",
            "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => Event($"rp-full-{i}", "browse", "M4"))) + "]",
        ];
        var file = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        return file;
    }

    /// <summary>The rest of the first output line that starts with <paramref name="prefix"/> (leading spaces ignored).</summary>
    private static string After(string output, string prefix)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.TrimStart().StartsWith(prefix.TrimStart(), StringComparison.Ordinal));
        Assert.True(line is not null, $"no line starting with '{prefix}' in:\n{output}");
        return line.TrimStart()[prefix.TrimStart().Length..];
    }
}
