using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Events;

namespace Engagement.EndToEnd.Tests.Ingestion;

/// <summary>
/// A generated load and, beside it, what CONTRACT.md §2 says every member must end with — computed here
/// from the rules as written, independently of Engagement.Domain.
/// </summary>
public sealed class LoadModel
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly long[] Thresholds = [0, 1_000, 5_000, 20_000];
    private static readonly decimal[] Multipliers = [1.0m, 1.2m, 1.5m, 2.0m];

    public List<Message> Messages { get; } = [];

    public Dictionary<string, Expected> Members { get; } = new(StringComparer.Ordinal);

    public int Malformed { get; private set; }

    public int Duplicates { get; private set; }

    public int EarlyRefunds { get; private set; }

    /// <summary>One queue message: the member it belongs to (null for junk without one), its body, base64 or not.</summary>
    public sealed record Message(string? MemberId, string Body);

    public sealed class Expected
    {
        public long Points { get; set; }

        public long Growth { get; set; }

        public string Tier => "V" + (Array.FindLastIndex(Thresholds, t => Growth >= t) + 1).ToString(CultureInfo.InvariantCulture);

        public int Purchases { get; set; }

        internal int TierIndex => Array.FindLastIndex(Thresholds, t => Growth >= t);

        internal Dictionary<DateOnly, Dictionary<string, int>> Capped { get; } = [];
    }

    /// <summary>
    /// The full mix: purchases (Pareto-like spend that moves tiers), partial and full refunds (some sent before their
    /// purchase), logins and shares with daily caps, browsing, duplicates and malformed messages.
    /// Order-sensitive (multipliers, first purchase), so it relies on one member's messages staying in order.
    /// </summary>
    public static LoadModel Full(string prefix, int members, int events, double duplicateShare, double malformedShare, int seed, DateTimeOffset now)
    {
        var model = new LoadModel();
        var random = new Random(seed);
        var ids = Enumerable.Range(1, members).Select(i => $"{prefix}{i:D5}").ToArray();
        var clock = ids.ToDictionary(id => id, _ => now.AddDays(-4), StringComparer.Ordinal);
        var orders = ids.ToDictionary(id => id, _ => new List<(string OrderId, decimal Amount)>(), StringComparer.Ordinal);
        var pendingEarly = new List<(string MemberId, string OrderId, decimal Amount, JsonObject Refund)>();
        var valid = new List<Message>();
        var seq = 0;

        int validTarget = (int)(events * (1 - duplicateShare - malformedShare));
        while (valid.Count < validTarget)
        {
            var id = ids[random.Next(ids.Length)];
            var at = clock[id] = clock[id].AddMinutes(1 + random.Next(20));
            var roll = random.NextDouble();
            JsonObject evt;
            if (roll < 0.45 || orders[id].Count == 0)
            {
                var amount = Math.Round((decimal)(20 + (Math.Pow(1 - random.NextDouble(), -1.2) - 1) * 300), 2);
                amount = Math.Min(amount, 30_000m);
                var orderId = $"O{++seq}";
                evt = Event(id, $"{id}-p{seq}", "purchase", at, orderId, amount);
                orders[id].Add((orderId, amount));
                if (random.NextDouble() < 0.03)
                {
                    // A refund sent before its purchase: the engine holds it until the purchase comes.
                    var refundAmount = Math.Round(amount * (decimal)(0.2 + random.NextDouble() * 0.8), 2);
                    var early = Event(id, $"{id}-er{seq}", "refund", at.AddMinutes(1), orderId, refundAmount);
                    valid.Add(new Message(id, early.ToJsonString()));
                    pendingEarly.Add((id, orderId, refundAmount, early));
                    model.EarlyRefunds++;
                    orders[id].RemoveAt(orders[id].Count - 1);
                }
            }
            else if (roll < 0.52)
            {
                var (orderId, amount) = orders[id][random.Next(orders[id].Count)];
                orders[id].Remove((orderId, amount));
                var refundAmount = random.NextDouble() < 0.5 ? amount : Math.Round(amount * (decimal)random.NextDouble(), 2);
                if (refundAmount <= 0)
                {
                    continue;
                }

                evt = Event(id, $"{id}-r{++seq}", "refund", at, orderId, refundAmount);
            }
            else
            {
                var type = (roll % 0.12) switch { < 0.04 => "login", < 0.08 => "share", < 0.10 => "browse", _ => "add_to_cart" };
                evt = Event(id, $"{id}-{type}{++seq}", type, at, null, null);
            }

            valid.Add(new Message(id, evt.ToJsonString()));
        }

        // Duplicates: an earlier message of the same member sent again later (as a retrying producer does).
        var withDuplicates = new List<Message>(valid);
        var duplicates = (int)(events * duplicateShare);
        for (var i = 0; i < duplicates; i++)
        {
            var index = random.Next(withDuplicates.Count);
            var original = valid[random.Next(valid.Count)];
            var lastOfMember = withDuplicates.FindLastIndex(m => m.MemberId == original.MemberId);
            withDuplicates.Insert(Math.Max(index, lastOfMember + 1), original);
        }

        model.Duplicates = duplicates;

        // Junk, each a different mistake a producer makes.
        var junk = new Func<int, Message>[]
        {
            i => new Message(null, "{\"eventId\":\"junk" + i + "\",\"type\":\"purchase\""),
            i => new Message(null, "{\"eventId\":\"junk" + i + "\",\"type\":\"purchase\",\"occurredAt\":\"" + now.ToString("O", CultureInfo.InvariantCulture) + "\",\"orderId\":\"X\",\"amount\":5}"),
            i => new Message(ids[0], Event(ids[0], $"junk{i}", "purchase", now.AddMinutes(-1), "J" + i, -5m).ToJsonString()),
            i => new Message(ids[0], Event(ids[0], $"junk{i}", "teleport", now.AddMinutes(-1), null, null).ToJsonString()),
            i => new Message(ids[0], Event(ids[0], $"junk{i}", "login", now.AddHours(2), null, null).ToJsonString()),
            i => new Message(null, "not json at all " + i),
        };
        var malformed = (int)(events * malformedShare);
        for (var i = 0; i < malformed; i++)
        {
            withDuplicates.Insert(random.Next(withDuplicates.Count), junk[i % junk.Length](i));
        }

        model.Malformed = malformed;
        model.Messages.AddRange(withDuplicates);

        // The expected outcome, replaying the valid messages per member in order (the order one queue keeps).
        foreach (var id in ids)
        {
            model.Members[id] = new Expected();
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordersState = new Dictionary<(string, string), (decimal Amount, long Points)>();
        var held = new Dictionary<(string, string), List<decimal>>();
        foreach (var message in valid)
        {
            var evt = JsonNode.Parse(message.Body)!.AsObject();
            var eventId = evt["eventId"]!.GetValue<string>();
            if (!seen.Add(eventId))
            {
                continue;
            }

            var member = model.Members[message.MemberId!];
            var type = evt["type"]!.GetValue<string>();
            var at = DateTimeOffset.Parse(evt["occurredAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            switch (type)
            {
                case "purchase":
                {
                    var amount = evt["amount"]!.GetValue<decimal>();
                    var orderId = evt["orderId"]!.GetValue<string>();
                    var points = (long)Math.Floor(Math.Floor(amount) * Multipliers[member.TierIndex] * (member.Purchases == 0 ? 2 : 1));
                    member.Purchases++;
                    member.Points += points;
                    member.Growth += (long)Math.Floor(amount);
                    ordersState[(message.MemberId!, orderId)] = (amount, points);
                    if (held.Remove((message.MemberId!, orderId), out var refunds))
                    {
                        foreach (var refunded in refunds)
                        {
                            ApplyRefund(member, amount, points, refunded);
                        }
                    }

                    break;
                }

                case "refund":
                {
                    var orderId = evt["orderId"]!.GetValue<string>();
                    var refunded = evt["amount"]!.GetValue<decimal>();
                    if (ordersState.TryGetValue((message.MemberId!, orderId), out var order))
                    {
                        ApplyRefund(member, order.Amount, order.Points, refunded);
                    }
                    else
                    {
                        (held.TryGetValue((message.MemberId!, orderId), out var list) ? list : held[(message.MemberId!, orderId)] = []).Add(refunded);
                    }

                    break;
                }

                case "login":
                    member.Growth += Capped(member, at, "login", 1, 1);
                    break;
                case "share":
                    member.Growth += Capped(member, at, "share", 5, 5);
                    break;
            }
        }

        return model;
    }

    /// <summary>
    /// A load whose outcome does not depend on the order messages are applied in: every member buys the same
    /// amount a few times (the first earns double, whichever it is) and stays in V1; logins and shares within
    /// the day's caps. For crash tests, where redelivery may reorder a member's events.
    /// </summary>
    public static LoadModel OrderInsensitive(string prefix, int members, int purchasesPerMember, int seed, DateTimeOffset now)
    {
        var model = new LoadModel();
        var random = new Random(seed);
        for (var m = 1; m <= members; m++)
        {
            var id = $"{prefix}{m:D5}";
            var amount = 10m + random.Next(0, 150) + 0.5m;
            var expected = new Expected();
            var at = now.AddHours(-3);
            for (var p = 1; p <= purchasesPerMember; p++)
            {
                at = at.AddMinutes(1);
                model.Messages.Add(new Message(id, Event(id, $"{id}-p{p}", "purchase", at, $"O{p}", amount).ToJsonString()));
                expected.Points += (long)Math.Floor(amount) * (p == 1 ? 2 : 1);
                expected.Growth += (long)Math.Floor(amount);
            }

            model.Messages.Add(new Message(id, Event(id, $"{id}-login", "login", at.AddMinutes(1), null, null).ToJsonString()));
            model.Messages.Add(new Message(id, Event(id, $"{id}-share", "share", at.AddMinutes(2), null, null).ToJsonString()));
            expected.Growth += 1 + 5;
            expected.Purchases = purchasesPerMember;
            model.Members[id] = expected;
        }

        // Interleave members as real traffic does, keeping each member's own order.
        model.Messages.Sort((a, b) => string.CompareOrdinal(Key(a), Key(b)));
        return model;

        static string Key(Message m) => JsonNode.Parse(m.Body)!["occurredAt"]!.GetValue<string>() + m.MemberId;
    }

    public static string Base64(string body) => Convert.ToBase64String(Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// The messages as CONTRACT.md §1 batch messages: per queue (by member, as the engine partitions), JSON arrays of up
    /// to <paramref name="eventsPerMessage"/> events in their order; the queue index and body of each.
    /// </summary>
    public static List<(int Queue, string Body)> Batches(IEnumerable<Message> messages, int eventsPerMessage, int queueCount) =>
        messages
            .GroupBy(m => QueuePartitioner.QueueIndex(m.MemberId!, queueCount))
            .SelectMany(q => q.Chunk(eventsPerMessage).Select(chunk => (Queue: q.Key, Body: "[" + string.Join(",", chunk.Select(m => m.Body)) + "]")))
            .ToList();

    private static void ApplyRefund(Expected member, decimal orderAmount, long orderPoints, decimal refunded)
    {
        member.Points -= (long)Math.Floor(refunded * orderPoints / orderAmount);
        member.Growth -= (long)Math.Floor(refunded);
    }

    private static long Capped(Expected member, DateTimeOffset at, string action, int growth, int perDay)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Shanghai).DateTime);
        if (!member.Capped.TryGetValue(day, out var counts))
        {
            member.Capped[day] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        counts.TryGetValue(action, out var done);
        if (done >= perDay)
        {
            return 0;
        }

        counts[action] = done + 1;
        return growth;
    }

    private static JsonObject Event(string memberId, string eventId, string type, DateTimeOffset at, string? orderId, decimal? amount)
    {
        var evt = new JsonObject
        {
            ["eventId"] = eventId,
            ["type"] = type,
            ["memberId"] = memberId,
            ["occurredAt"] = at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["storeId"] = "S001",
            ["regionId"] = "east",
            ["channel"] = "pos",
        };
        if (orderId is not null)
        {
            evt["orderId"] = orderId;
            evt["amount"] = amount;
            evt["currency"] = "CNY";
        }

        return evt;
    }

    internal static string Serialize(object value) => JsonSerializer.Serialize(value);
}
