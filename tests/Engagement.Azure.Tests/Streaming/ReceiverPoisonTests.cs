using System.Text;
using Engagement.Azure.Streaming;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// One message that cannot be decoded, parsed or validated goes to the poison queue by itself, with its reason;
/// the rest of its batch is delivered. Real Azurite queues; the test plays the pulling agent.
/// </summary>
public sealed class ReceiverPoisonTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<(List<EngagementBatchContainer> Delivered, IReadOnlyList<PoisonMessage> Poison)> DrainAsync(ReceiverRig rig, int messages)
    {
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5));
        var delivered = new List<EngagementBatchContainer>();
        var poison = await Eventually.ReturnsAsync(
            async () =>
            {
                delivered.AddRange(ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32)));
                return await rig.PoisonAsync();
            },
            p => p.Count + delivered.Count >= messages,
            Deadline,
            $"{messages} messages delivered or dead-lettered");
        await receiver.MessagesDeliveredAsync([.. delivered]);
        return (delivered, poison);
    }

    [Fact]
    public async Task ALoneSurrogateLoginBesideFivePurchasesIsDeadLetteredAloneAndThePurchasesAreDelivered()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var bad = ReceiverRig.Login("M1", "s-\\ud800");
        await rig.SendAsync(
            ReceiverRig.Purchase("M1", "p1"),
            ReceiverRig.Purchase("M1", "p2"),
            bad,
            ReceiverRig.Purchase("M1", "p3"),
            ReceiverRig.Purchase("M1", "p4"),
            ReceiverRig.Purchase("M1", "p5"));

        var (delivered, poison) = await DrainAsync(rig, 6);

        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], delivered.Select(c => c.Event.EventId).Order());
        var dead = Assert.Single(poison);
        Assert.Equal(@"eventId: is not valid Unicode text (a lone surrogate escape such as \ud800)", dead.Reason);
        Assert.Equal(rig.Queue.Name, dead.Queue);
        Assert.Equal(bad, dead.Body);
        await Eventually.ReturnsAsync(rig.CountAsync, n => n == 0, Deadline, "the queue emptied: purchases deleted after delivery, the bad one after dead-lettering");
    }

    [Fact]
    public async Task APurchaseWithAMiscasedFieldIsDeadLetteredWithItsReasonAndMiscasedPropertiesKeysAreDelivered()
    {
        // "cUrReNcY":"USD" read as unknown would apply 100 USD as 100 CNY; properties keys are free-form, any case goes.
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var miscased = ReceiverRig.Purchase("M1", "c1").Replace("\"amount\": 100.00", "\"amount\": 100.00, \"cUrReNcY\": \"USD\"", StringComparison.Ordinal);
        var properties = ReceiverRig.Purchase("M1", "c2").Replace("\"amount\": 100.00", "\"amount\": 100.00, \"properties\": {\"Currency\": \"USD\", \"StoreId\": \"S9\"}", StringComparison.Ordinal);
        Assert.NotEqual(ReceiverRig.Purchase("M1", "c1"), miscased);
        await rig.SendAsync(miscased, properties, ReceiverRig.Purchase("M1", "c3"));

        var (delivered, poison) = await DrainAsync(rig, 3);

        Assert.Equal(["c2", "c3"], delivered.Select(c => c.Event.EventId).Order());
        Assert.Equal("S9", delivered.Single(c => c.Event.EventId == "c2").Event.Properties["StoreId"]);
        var dead = Assert.Single(poison);
        Assert.Equal("currency: `cUrReNcY`: field names are case-sensitive; did you mean `currency`?", dead.Reason);
        Assert.Equal("currency", IngestionMetrics.ReasonCategory(dead.Reason));
        Assert.Equal(miscased, dead.Body);
        await Eventually.ReturnsAsync(rig.CountAsync, n => n == 0, Deadline, "the queue emptied");
    }

    [Fact]
    public async Task TheReceiversTotalsNameTheirUnitsMessagesReceivedAndDeletedAndDeadLetters()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var log = new LogCapture();
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5), logger: log);

        // One message of three events, one of them refused: 1 message received and deleted, 1 dead letter.
        await rig.SendAsync($"[{ReceiverRig.Purchase("M1", "u1")}, {ReceiverRig.Login("M1", "u2-\\ud800")}, {ReceiverRig.Purchase("M1", "u3")}]");
        var delivered = new List<EngagementBatchContainer>();
        await Eventually.TrueAsync(
            async () =>
            {
                delivered.AddRange(ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32)));
                return delivered.Count == 2;
            },
            Deadline,
            "the two valid events delivered");
        await receiver.MessagesDeliveredAsync([.. delivered]);
        await Eventually.ReturnsAsync(rig.CountAsync, n => n == 0, Deadline, "the message deleted");
        await receiver.Shutdown(TimeSpan.FromSeconds(5));

        var line = Assert.Single(log.Lines(LogLevel.Information, "Stopped receiving from"));
        Assert.Contains("1 messages received, 1 messages deleted after delivery, 1 dead letters sent (refused at admission: an unreadable message or an invalid event; every dead letter, those a member refused too: engagement.events.poisoned)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSoFarLineEvery30SecondsIsWrittenOnlyWhenTheCountsChangedNotForAnIdleQueue()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var log = new LogCapture();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(ReceiverRig.Start);
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5), time: clock, logger: log);
        await rig.SendAsync(ReceiverRig.Purchase("M1", "sf1"));

        var delivered = ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32));
        Assert.Single(delivered);
        await receiver.MessagesDeliveredAsync([.. delivered]);
        clock.Advance(TimeSpan.FromSeconds(31));
        await receiver.GetQueueMessagesAsync(32);
        var first = Assert.Single(log.Lines(LogLevel.Information, " so far: "));
        Assert.Contains("1 messages received, 1 messages deleted after delivery, 0 dead letters sent", first, StringComparison.Ordinal);

        // Two more intervals with nothing received: no line repeats the same counts.
        for (var i = 0; i < 2; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(31));
            await receiver.GetQueueMessagesAsync(32);
        }

        Assert.Single(log.Lines(LogLevel.Information, " so far: "));
    }

    public static TheoryData<string, string, string> BadMessages()
    {
        var gbk = Encoding.ASCII.GetBytes(ReceiverRig.Login("M1", "g-__"));
        var at = Array.IndexOf(gbk, (byte)'_');
        (gbk[at], gbk[at + 1]) = ((byte)0xBB, (byte)0xE1);
        var longOrder = ReceiverRig.Purchase("M1", "p-long").Replace("O-p-long", new string('o', 60_001), StringComparison.Ordinal);
        return new()
        {
            { "lone surrogate", ReceiverRig.Login("M1", "s-\\udfff"), "eventId: is not valid Unicode text (a lone surrogate escape such as \\ud800)" },
            { "base64 of GBK text", Convert.ToBase64String(gbk), "body: base64 of bytes that are not UTF-8 text (decoded byte " },
            { "broken base64", "eyJldmVudElkIjo", "body: neither a JSON object nor base64-encoded JSON (the text starts \"xxXxxxXxxXxxXxx\")" },
            // Its letters decode as base64 (to bytes that are not UTF-8): it was told "base64 of bytes that are not UTF-8 text".
            { "plain text that decodes as base64", "hello123", "body: neither a JSON object nor base64-encoded JSON (the text starts \"xxxxx###\")" },
            { "base64 of plain text", Convert.ToBase64String(Encoding.UTF8.GetBytes("purchase M1 268.50")), "body: neither a JSON object nor base64-encoded JSON (the text starts \"xXXxX#xxx#XxXXXxXxX#XxXx\")" },
            // Before: the reason showed "tel 13800138000 K7Q2X9LM…", a member's phone and half a coupon code.
            { "text with a phone and a coupon code", "tel 13800138000 K7Q2X9LMP4R8T3WZ", "body: neither a JSON object nor base64-encoded JSON (the text starts \"tel ########### X#X#X#XX…\")" },
            // Before: "tel ABCD-EFGH-JKLM-NPQR", the whole coupon code in groups of 4 letters, each kept as a short word.
            { "text with a coupon code in groups", "tel ABCD-EFGH-JKLM-NPQR", "body: neither a JSON object nor base64-encoded JSON (the text starts \"tel XXXX-XXXX-XXXX-XXXX\")" },
            // Before: "neither a JSON object nor base64-encoded JSON", which hid that only the encoding was wrong.
            { "base64 of UTF-16 JSON with a byte-order mark", Convert.ToBase64String([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(ReceiverRig.Login("M1", "u16"))]),
                "body: base64 of UTF-16 (little-endian, with a byte-order mark) text; only UTF-8 is accepted (CONTRACT.md §1): encode the JSON as UTF-8" },
            // Before: pretty-printed (a newline first), no byte-order mark: "neither a JSON object nor base64-encoded JSON".
            { "base64 of pretty-printed UTF-16 JSON", Convert.ToBase64String(Encoding.Unicode.GetBytes("\r\n" + ReceiverRig.Login("M1", "u16p"))),
                "body: base64 of UTF-16 (little-endian) text; only UTF-8 is accepted (CONTRACT.md §1): encode the JSON as UTF-8" },
            { "broken JSON", "{\"eventId\": \"x\", ", "body: malformed JSON (line 1, " },
            // Before: "line 1": the receiver's parser counted from the '{' after trimming the blank lines before it.
            { "broken JSON after blank lines", "\n\n  {\"eventId\" 1}", "body: malformed JSON (line 3, byte " },
            { "60,001-character orderId", longOrder, "orderId: must be 1–128 characters" },
            // A phone number sent as the currency: the reason (which the logs repeat) shows its shape, never the number.
            { "a phone number as the currency", ReceiverRig.Purchase("M1", "cur").Replace("\"amount\": 100.00", "\"amount\": 100.00, \"currency\": \"13800138000\"", StringComparison.Ordinal),
                "currency: '###########' is not accepted: use CNY (ISO 4217, upper case)" },
            { "memberId ..", ReceiverRig.Login("..", "dots"), "memberId: " + EventValidator.MemberIdRule },
            { "event a year and a day old", ReceiverRig.Login("M1", "old").Replace("2026-11-23T08", "2025-11-22T08", StringComparison.Ordinal), "occurredAt: more than 365 days in the past" },
        };
    }

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task EachKindOfBadMessageIsDeadLetteredWithItsReasonAndItsNeighbourDelivered(string kind, string body, string reason)
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        await rig.SendAsync(body, ReceiverRig.Login("M2", "neighbour"));

        var (delivered, poison) = await DrainAsync(rig, 2);

        Assert.Equal("neighbour", Assert.Single(delivered).Event.EventId);
        var dead = Assert.Single(poison);
        Assert.True(dead.Reason.StartsWith(reason, StringComparison.Ordinal), $"{kind}: {dead.Reason}");
        Assert.Equal(body, dead.Body);
    }

    [Fact]
    public async Task ABatchMessagesBadEventIsDeadLetteredAloneWithItsIndexAndTheMessageIsDeletedOnlyWhenEveryOtherEventIsApplied()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        var bad = ReceiverRig.Login("..", "b2");
        await rig.SendAsync($"[{ReceiverRig.Purchase("M1", "b1")}, {bad}, {ReceiverRig.Login("M2", "b3")}]");
        var receiver = await rig.ReceiverAsync(TimeSpan.FromMinutes(5));

        var delivered = new List<EngagementBatchContainer>();
        await Eventually.TrueAsync(
            async () =>
            {
                delivered.AddRange(ReceiverRig.Containers(await receiver.GetQueueMessagesAsync(32)));
                return delivered.Count >= 2;
            },
            Deadline,
            "the batch's two valid events");

        Assert.Equal(["b1", "b3"], delivered.Select(c => c.Event.EventId));
        var dead = Assert.Single(await rig.PoisonAsync());
        Assert.Equal($"memberId: {EventValidator.MemberIdRule} (event [1] of 3 in the message)", dead.Reason);
        Assert.Equal(bad, dead.Body);

        await receiver.MessagesDeliveredAsync([delivered[0]]);
        Assert.Equal(1, await rig.CountAsync());
        await receiver.MessagesDeliveredAsync([delivered[1]]);
        Assert.Equal(0, await rig.CountAsync());
    }

    [Fact]
    public async Task ABatchOfOnlyBadEventsIsDeadLetteredEventByEventAndDeleted()
    {
        await using var rig = new ReceiverRig();
        await rig.InitializeAsync();
        await rig.SendAsync($"[{ReceiverRig.Login("..", "x1")}, {ReceiverRig.Login("M1", "s-\\ud800")}]");

        var (delivered, poison) = await DrainAsync(rig, 2);

        Assert.Empty(delivered);
        Assert.Equal(
            ["eventId: is not valid Unicode text (a lone surrogate escape such as \\ud800) (event [1] of 2 in the message)", $"memberId: {EventValidator.MemberIdRule} (event [0] of 2 in the message)"],
            poison.Select(p => p.Reason).Order(StringComparer.Ordinal));
        await Eventually.ReturnsAsync(rig.CountAsync, n => n == 0, Deadline, "the message deleted");
    }
}
