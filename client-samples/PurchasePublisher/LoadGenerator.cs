using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PurchasePublisher;

/// <summary>What <see cref="LoadGenerator"/> produced: messages in publication order and a summary.</summary>
internal sealed record GeneratedLoad(IReadOnlyList<OutgoingMessage> Messages, LoadSummary Summary);

/// <summary>
/// What was generated, for people and for tests that compare it with what the engine applied
/// (<c>--expect-file</c>). The engine should apply exactly <see cref="UniqueValidEvents"/> events,
/// ignore <see cref="Duplicates"/>, and dead-letter <see cref="Malformed"/> messages.
/// </summary>
internal sealed class LoadSummary
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "+08:00", not "\u002B08:00"
    };

    public int Seed { get; init; }
    public string Start { get; init; } = "";
    public string End { get; init; } = "";
    public int Members { get; init; }
    public int QueueCount { get; init; }
    public string Prefix { get; init; } = "";
    public int Messages { get; init; }
    public int UniqueValidEvents { get; init; }
    public int Duplicates { get; init; }
    public int Malformed { get; init; }
    public SortedDictionary<string, int> MalformedByKind { get; init; } = new(StringComparer.Ordinal);
    public int Refunds { get; init; }
    public int EarlyRefunds { get; init; }
    public SortedDictionary<string, int> ValidByType { get; init; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, int> MessagesPerQueue { get; init; } = new(StringComparer.Ordinal);
    public decimal PurchaseAmount { get; init; }
    public decimal RefundAmount { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>
/// Realistic, deterministic load: the same seed, start and options give the same messages.
///
/// Each member registers first, then browses, logs in, buys, reviews, complains, updates a profile;
/// activity and spend are Pareto-distributed (most members do and spend little, a few a lot).
/// A browse is often a shopping session: a login just before, then a cart and a payment (the §5 funnel).
/// Refunds name an earlier purchase of the same member; some are published before that purchase.
/// Duplicates re-send an event (same body, same eventId) a little later, as a retrying producer does;
/// malformed messages are the mistakes real producers make.
/// </summary>
internal sealed class LoadGenerator
{
    private static readonly string[] Regions = ["east", "north", "south", "west"];
    private const int StoresPerRegion = 5;

    private static readonly (string Name, string Code, int MinPrice, int MaxPrice)[] Categories =
    [
        ("skincare", "SKN", 80, 1800),
        ("makeup", "MKP", 60, 600),
        ("fragrance", "FRG", 300, 2500),
        ("bodycare", "BDY", 40, 400),
        ("haircare", "HAR", 40, 500),
    ];

    private static readonly string[] OnlineChannels = ["app", "web", "wechat"];

    // Relative weights of what a member does after registering (refunds are added separately).
    private static readonly (string Type, int Weight)[] ActivityMix =
    [
        ("purchase", 28),
        ("login", 22),
        ("browse", 20),
        ("add_to_cart", 10),
        ("share", 6),
        ("review", 5),
        ("complaint", 2),
        ("profile_update", 7),
    ];

    private static readonly string[] MalformedKinds =
    [
        "truncated_json",            // the writer was cut off mid-body
        "not_json",                  // a CSV line from a legacy export, sent as is
        "missing_member_id",         // a walk-in sale without a loyalty card
        "negative_amount",           // a return sent as a purchase with a negative amount
        "unknown_type",              // an upstream name the contract does not have
        "occurred_at_not_iso",       // "2026-11-23 08:39:16": a SQL timestamp, no 'T', no offset
        "invalid_member_id",         // a fixed-width field with its trailing space
        "purchase_without_order_id", // the order number was never mapped
        "missing_event_id",          // no idempotency key
    ];

    private static readonly string[] TimeZones =
        ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo", "Europe/London", "America/Los_Angeles"];

    private static readonly string[] ShareTargets = ["wechat_moments", "wechat_friend", "weibo", "xiaohongshu", "douyin"];
    private static readonly int[] Ratings = [5, 5, 5, 4, 4, 3, 2, 1];
    private static readonly string[] ComplaintChannels = ["web", "app", "call_center"];
    private static readonly string[] ComplaintTopics = ["delivery_delay", "product_quality", "staff_service", "points_missing", "allergic_reaction"];
    private static readonly string[] StorePayments = ["card", "alipay", "wechat_pay", "cash"];
    private static readonly string[] OnlinePayments = ["alipay", "wechat_pay"];
    private static readonly string[] CampaignCodes = ["WINTER", "DOUBLE11", "VIPDAY", "NEWYEAR"];
    private static readonly string[] RefundReasons = ["changed_mind", "damaged", "wrong_shade", "allergic_reaction", "late_delivery"];
    private static readonly string[] BrowsePages = ["product", "product", "category", "search", "home"];
    private static readonly string[] UnknownTypes = ["order_paid", "checkout", "sale"];
    private static readonly string[] ConsentChannels = ["sms", "push", "call", "wechat"];

    private readonly Args _args;
    private readonly Random _rng;
    private readonly int _seed;
    private readonly string _runTag;
    private readonly DateTimeOffset _start;
    private readonly DateTimeOffset _end;
    private readonly List<Member> _members = [];
    private double[] _cumulativeActivity = [];
    private long _seq;

    public LoadGenerator(Args args, DateTimeOffset now)
    {
        _args = args;
        _seed = args.Seed ?? Random.Shared.Next();
        _rng = new Random(_seed);
        _runTag = "r" + _seed.ToString(CultureInfo.InvariantCulture);

        var nowSeconds = TruncateToSeconds(now);
        var span = TimeSpan.FromDays(args.Days);
        _start = TruncateToSeconds(args.Start ?? nowSeconds - span);
        var end = _start + span;
        _end = end < nowSeconds ? end : nowSeconds;
    }

    public int Seed => _seed;

    public GeneratedLoad Generate()
    {
        var total = _args.Events;
        var malformed = (int)Math.Round(total * _args.Malformed);
        var duplicates = (int)Math.Round(total * _args.Duplicates);
        var unique = total - malformed - duplicates;
        if (unique < 1)
        {
            throw new UsageException("--events is too small to hold any valid event after duplicates and malformed");
        }

        // 1. Members; each one's first event is its registration.
        var memberCount = Math.Min(_args.Members, unique);
        if (memberCount < _args.Members)
        {
            Console.Error.WriteLine($"note: only {memberCount} of {_args.Members} members fit in {unique} valid events; each member needs a register event first");
        }

        CreateMembers(memberCount);
        var valid = new List<GenEvent>(unique);
        foreach (var member in _members)
        {
            valid.Add(Register(member));
        }

        // 2. Activity, then refunds of some of the purchases.
        var remaining = unique - memberCount;
        var refundTarget = Math.Min((int)Math.Round(unique * _args.Refunds), remaining);
        var purchases = new List<GenEvent>();
        var activities = remaining - refundTarget;
        for (var i = 0; i < activities; i++)
        {
            var e = Activity(PickMember(), PickActivityType(allowPurchase: true));
            var session = e.Type == "browse" ? Funnel(e) : [e];
            foreach (var step in session.Take(activities - i))
            {
                valid.Add(step);
                if (step.Type == "purchase")
                {
                    purchases.Add(step);
                }
            }

            i += Math.Min(session.Count, activities - i) - 1;
        }

        var refundCount = Math.Min(refundTarget, purchases.Count);
        Shuffle(purchases);
        var earlyCount = (int)Math.Round(refundCount * _args.EarlyRefunds);
        for (var i = 0; i < refundCount; i++)
        {
            var refund = Refund(purchases[i]);
            if (i < earlyCount)
            {
                refund.IsEarly = true;
                purchases[i].EarlyRefund = refund;
            }

            valid.Add(refund);
        }

        for (var i = refundCount; i < refundTarget; i++)
        {
            // Not enough purchases to refund: fill with other activity so the totals still add up.
            valid.Add(Activity(PickMember(), PickActivityType(allowPurchase: false)));
        }

        // 3. Publication order: by occurredAt, as a live feed; an early refund just before its purchase.
        valid.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Seq.CompareTo(b.Seq));
        var ordered = new List<(double Key, OutgoingMessage Message)>(total);
        foreach (var e in valid)
        {
            if (e.IsEarly)
            {
                continue;
            }

            if (e.EarlyRefund is { } early)
            {
                ordered.Add((ordered.Count, OutgoingMessage.FromBody(early.Body, early.Type)));
            }

            ordered.Add((ordered.Count, OutgoingMessage.FromBody(e.Body, e.Type)));
        }

        // 4. Duplicates: the same body again, a few to a few dozen messages later (a producer's retry).
        var originals = Enumerable.Range(0, ordered.Count).ToArray();
        Shuffle(originals);
        var validCount = ordered.Count;
        for (var i = 0; i < duplicates; i++)
        {
            var (key, message) = ordered[originals[i % validCount]];
            ordered.Add((key + _rng.Next(1, 40) + 0.5, message with { Label = "(duplicate)" }));
        }

        // 5. Junk, scattered anywhere; every kind appears before any repeats.
        var malformedByKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var kinds = (string[])MalformedKinds.Clone();
        Shuffle(kinds);
        for (var i = 0; i < malformed; i++)
        {
            var kind = kinds[i % kinds.Length];
            malformedByKind[kind] = malformedByKind.GetValueOrDefault(kind) + 1;
            ordered.Add((_rng.NextDouble() * validCount, OutgoingMessage.FromBody(Junk(kind), "(malformed)")));
        }

        var messages = ordered.OrderBy(x => x.Key).Select(x => x.Message).ToList();

        var perQueue = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var q = 0; q < _args.QueueCount; q++)
        {
            perQueue[QueueChoice.QueueName(_args.Prefix, q)] = 0;
        }

        foreach (var m in messages)
        {
            perQueue[QueueChoice.QueueName(_args.Prefix, m.QueueIndex(_args.QueueCount))]++;
        }

        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in valid)
        {
            byType[e.Type] = byType.GetValueOrDefault(e.Type) + 1;
        }

        var summary = new LoadSummary
        {
            Seed = _seed,
            Start = Envelope.FormatTime(_start),
            End = Envelope.FormatTime(_end),
            Members = memberCount,
            QueueCount = _args.QueueCount,
            Prefix = _args.Prefix,
            Messages = messages.Count,
            UniqueValidEvents = valid.Count,
            Duplicates = duplicates,
            Malformed = malformed,
            MalformedByKind = malformedByKind,
            Refunds = refundCount,
            EarlyRefunds = earlyCount,
            ValidByType = byType,
            MessagesPerQueue = perQueue,
            PurchaseAmount = Cents(valid.Where(e => e.Type == "purchase").Sum(e => e.AmountCents)),
            RefundAmount = Cents(valid.Where(e => e.Type == "refund").Sum(e => e.AmountCents)),
        };
        return new GeneratedLoad(messages, summary);
    }

    // ---- members --------------------------------------------------------------------------

    private void CreateMembers(int count)
    {
        _cumulativeActivity = new double[count];
        var sum = 0.0;
        var registrationWindow = (_end - _start) * 0.4;
        for (var i = 0; i < count; i++)
        {
            var region = Regions[_rng.Next(Regions.Length)];
            var store = StoreId(region, _rng.Next(StoresPerRegion));

            // Pareto spend scale (x_m = 60 CNY, alpha = 1.16: the "80/20" shape).
            var spendScale = 60 / Math.Pow(1 - _rng.NextDouble(), 1 / 1.16);

            var member = new Member(
                _args.MemberPrefix + (i + 1).ToString("D6", CultureInfo.InvariantCulture),
                region,
                store,
                spendScale,
                Categories[_rng.Next(Categories.Length)].Name,
                OnlineChannels[_rng.Next(OnlineChannels.Length)],
                WakingTime(_start, _start + registrationWindow));
            _members.Add(member);

            // Pareto activity (alpha = 1.5), capped so one member cannot take the whole run.
            sum += Math.Min(1 / Math.Pow(1 - _rng.NextDouble(), 1 / 1.5), 50);
            _cumulativeActivity[i] = sum;
        }
    }

    private Member PickMember()
    {
        var x = _rng.NextDouble() * _cumulativeActivity[^1];
        var i = Array.BinarySearch(_cumulativeActivity, x);
        return _members[i >= 0 ? i : ~i];
    }

    private static string StoreId(string region, int index) =>
        "S" + ((Array.IndexOf(Regions, region) * StoresPerRegion) + index + 1).ToString("D3", CultureInfo.InvariantCulture);

    // ---- events ---------------------------------------------------------------------------

    private GenEvent Register(Member m)
    {
        var inStore = _rng.NextDouble() < 0.5;
        var channel = inStore ? "pos" : m.OnlineChannel;
        var properties = new Properties { { "source", inStore ? "store" : m.OnlineChannel } };
        if (_rng.NextDouble() < 0.4)
        {
            properties.Add("birthday", Birthday());
        }

        if (_rng.NextDouble() < 0.6)
        {
            properties.Add("consent", Consent());
        }

        return NewEvent(m, "register", m.RegisteredAt, channel, inStore ? m.HomeStore : null, properties);
    }

    private GenEvent Activity(Member m, string type)
    {
        var at = ActivityTime(m);
        return type switch
        {
            "purchase" => Purchase(m, at),
            "login" => NewEvent(m, type, at, m.OnlineChannel, null, new Properties { { "device", Device(m.OnlineChannel) } }),
            "browse" => Browse(m, at),
            "add_to_cart" => AddToCart(m, at),
            "share" => NewEvent(m, type, at, m.OnlineChannel, null, new Properties
            {
                { "target", Pick(ShareTargets) },
                { "sku", Sku(PickCategory(m)) },
            }),
            "review" => NewEvent(m, type, at, m.OnlineChannel, null, new Properties
            {
                { "sku", Sku(PickCategory(m)) },
                { "rating", Pick(Ratings) },
            }),
            "complaint" => NewEvent(m, type, at, Pick(ComplaintChannels), null, new Properties
            {
                { "topic", Pick(ComplaintTopics) },
                { "ticketId", "T-" + _rng.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture) },
            }),
            "profile_update" => ProfileUpdate(m, at),
            _ => throw new InvalidOperationException(type),
        };
    }

    private GenEvent Purchase(Member m, DateTimeOffset at)
    {
        var inStore = _rng.NextDouble() < 0.65;
        var channel = inStore ? "pos" : m.OnlineChannel;
        var store = inStore ? (_rng.NextDouble() < 0.8 ? m.HomeStore : StoreId(m.Region, _rng.Next(StoresPerRegion))) : null;

        // Pareto scale of the member times some noise; 5..20000 CNY, in cents.
        var target = m.SpendScale * Math.Exp(0.5 * Gaussian());
        var cents = Math.Clamp((long)Math.Round(target * 100), 500, 2_000_000);

        var properties = new Properties { { "paymentMethod", Pick(inStore ? StorePayments : OnlinePayments) } };
        if (_rng.NextDouble() < 0.15)
        {
            properties.Add("campaignCode", Pick(CampaignCodes));
        }

        var e = NewEvent(m, "purchase", at, channel, store, properties);
        e.Envelope.OrderId = OrderId(store, at, e.Seq);
        e.Envelope.Amount = Cents(cents);
        e.Envelope.Currency = _rng.NextDouble() < 0.9 ? "CNY" : null; // optional: CNY by default
        e.Envelope.Items = SplitIntoItems(m, cents);
        e.AmountCents = cents;
        return e;
    }

    private GenEvent Refund(GenEvent purchase)
    {
        var p = purchase.Envelope;
        var full = _rng.NextDouble() < 0.4 || purchase.AmountCents < 2;
        var cents = full
            ? purchase.AmountCents
            : Math.Clamp((long)Math.Round(purchase.AmountCents * (0.1 + (0.8 * _rng.NextDouble()))), 1, purchase.AmountCents - 1);

        // Some minutes to three days after the purchase, never later than the end of the run.
        var at = TruncateToSeconds(purchase.At + TimeSpan.FromMinutes(10 + (_rng.NextDouble() * 3 * 24 * 60)));
        if (at > _end)
        {
            at = _end < purchase.At ? purchase.At : _end;
        }

        var properties = new Properties
        {
            { "refundType", full ? "full" : "partial" },
            { "reason", Pick(RefundReasons) },
        };
        var e = NewEvent(purchase.Member, "refund", at, p.Channel!, p.StoreId, properties);
        e.Envelope.OrderId = p.OrderId;
        e.Envelope.Amount = Cents(cents);
        e.Envelope.Currency = "CNY";
        e.Envelope.Items = full ? p.Items : null;
        e.AmountCents = cents;
        return e;
    }

    /// <summary>
    /// A shopping session around a browse (the login → browse → cart → pay funnel of CONTRACT.md §5): most sessions
    /// start with a login a few minutes before, about half put something in the cart, and half of those pay.
    /// </summary>
    private List<GenEvent> Funnel(GenEvent browse)
    {
        var m = browse.Member;
        var session = new List<GenEvent>(4);
        if (_rng.NextDouble() < 0.7 && browse.At - TimeSpan.FromMinutes(2) > m.RegisteredAt)
        {
            session.Add(NewEvent(m, "login", browse.At - TimeSpan.FromMinutes(2), m.OnlineChannel, null, new Properties { { "device", Device(m.OnlineChannel) } }));
        }

        session.Add(browse);
        if (_rng.NextDouble() < 0.5 && browse.At + TimeSpan.FromMinutes(8) <= _end)
        {
            session.Add(AddToCart(m, browse.At + TimeSpan.FromMinutes(3)));
            if (_rng.NextDouble() < 0.5)
            {
                session.Add(Purchase(m, browse.At + TimeSpan.FromMinutes(8)));
            }
        }

        return session;
    }

    private GenEvent Browse(Member m, DateTimeOffset at)
    {
        var category = PickCategory(m);
        return NewEvent(m, "browse", at, m.OnlineChannel, null, new Properties
        {
            { "page", Pick(BrowsePages) },
            { "sku", Sku(category) },
            { "category", category.Name },
        });
    }

    private GenEvent AddToCart(Member m, DateTimeOffset at)
    {
        var category = PickCategory(m);
        var e = NewEvent(m, "add_to_cart", at, m.OnlineChannel, null, null);
        var price = Cents(_rng.Next(category.MinPrice, category.MaxPrice + 1) * 100L);
        e.Envelope.Items = [new Item(Sku(category), category.Name, _rng.NextDouble() < 0.8 ? 1 : 2, price)];
        return e;
    }

    private GenEvent ProfileUpdate(Member m, DateTimeOffset at)
    {
        var properties = new Properties();
        while (properties.Count == 0)
        {
            if (_rng.NextDouble() < 0.5)
            {
                properties.Add("consent", Consent());
            }

            if (_rng.NextDouble() < 0.3)
            {
                properties.Add("timeZone", Pick(TimeZones));
            }

            if (_rng.NextDouble() < 0.3)
            {
                properties.Add("birthday", Birthday());
            }

            if (_rng.NextDouble() < 0.2)
            {
                properties.Add("phone", "+86 1" + _rng.Next(30, 90).ToString(CultureInfo.InvariantCulture) + _rng.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture));
            }
        }

        return NewEvent(m, "profile_update", at, m.OnlineChannel, null, properties);
    }

    private GenEvent NewEvent(Member m, string type, DateTimeOffset at, string channel, string? storeId, Properties? properties)
    {
        var seq = ++_seq;
        var envelope = new Envelope
        {
            EventId = EventId(channel, storeId, at, seq),
            Type = type,
            MemberId = m.Id,
            OccurredAt = Envelope.FormatTime(at),
            StoreId = storeId,
            RegionId = m.Region,
            Channel = channel,
            Properties = properties,
        };
        return new GenEvent(seq, type, m, at, envelope);
    }

    // ---- malformed ------------------------------------------------------------------------

    private string Junk(string kind)
    {
        var m = PickMember();
        var e = Purchase(m, ActivityTime(m));
        var env = e.Envelope;
        switch (kind)
        {
            case "truncated_json":
                var body = env.ToJson();
                return body[..(int)(body.Length * (0.3 + (0.5 * _rng.NextDouble())))];
            case "not_json":
                return string.Join(',', m.Id, env.StoreId ?? "ONLINE", e.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), env.Amount!.Value.ToString("0.00", CultureInfo.InvariantCulture), "CNY");
            case "missing_member_id":
                env.MemberId = null;
                break;
            case "negative_amount":
                env.Amount = -env.Amount;
                env.Items = null;
                env.Properties = new Properties { { "note", "return" } };
                break;
            case "unknown_type":
                env.Type = Pick(UnknownTypes);
                break;
            case "occurred_at_not_iso":
                env.OccurredAt = e.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                break;
            case "invalid_member_id":
                env.MemberId = m.Id + " ";
                break;
            case "purchase_without_order_id":
                env.OrderId = null;
                break;
            case "missing_event_id":
                env.EventId = null;
                break;
            default:
                throw new InvalidOperationException(kind);
        }

        return env.ToJson();
    }

    // ---- pieces ---------------------------------------------------------------------------

    /// <summary>Splits a total into 1-4 lines whose quantity × unitPrice add up to it exactly.</summary>
    private List<Item> SplitIntoItems(Member m, long totalCents)
    {
        var lines = totalCents < 15_000 ? 1 : 1 + _rng.Next(Math.Min(4, (int)(totalCents / 10_000)));
        var weights = Enumerable.Range(0, lines).Select(_ => 0.5 + _rng.NextDouble()).ToArray();
        var weightSum = weights.Sum();
        var items = new List<Item>(lines);
        var left = totalCents;
        for (var i = 0; i < lines - 1; i++)
        {
            var quantity = Quantity();
            var unit = (long)(totalCents * weights[i] / weightSum / quantity);
            if (unit < 100 || left - (unit * quantity) < 100)
            {
                break;
            }

            var category = PickCategory(m);
            items.Add(new Item(Sku(category), category.Name, quantity, Cents(unit)));
            left -= unit * quantity;
        }

        var last = PickCategory(m);
        items.Add(new Item(Sku(last), last.Name, 1, Cents(left)));
        return items;
    }

    private int Quantity()
    {
        var x = _rng.NextDouble();
        return x < 0.75 ? 1 : x < 0.95 ? 2 : 3;
    }

    private (string Name, string Code, int MinPrice, int MaxPrice) PickCategory(Member m) =>
        _rng.NextDouble() < 0.5 ? Categories.First(c => c.Name == m.FavouriteCategory) : Categories[_rng.Next(Categories.Length)];

    private string Sku((string Name, string Code, int MinPrice, int MaxPrice) category) =>
        category.Code + "-" + _rng.Next(1, 81).ToString("D3", CultureInfo.InvariantCulture);

    private string PickActivityType(bool allowPurchase)
    {
        var mix = allowPurchase ? ActivityMix : ActivityMix.Where(a => a.Type != "purchase").ToArray();
        var x = _rng.Next(mix.Sum(a => a.Weight));
        foreach (var (type, weight) in mix)
        {
            if (x < weight)
            {
                return type;
            }

            x -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A time after the member registered, up to the end of the run.</summary>
    private DateTimeOffset ActivityTime(Member m)
    {
        var from = m.RegisteredAt + TimeSpan.FromSeconds(1);
        return from >= _end ? (_end > m.RegisteredAt ? _end : from) : WakingTime(from, _end);
    }

    /// <summary>A time in [from, to], whole seconds, mostly in waking hours in China (08:00-24:00).</summary>
    private DateTimeOffset WakingTime(DateTimeOffset from, DateTimeOffset to)
    {
        // Always draws three candidates, so the random sequence (and so who does what, and how
        // much they spend) depends on the seed alone, not on --start.
        DateTimeOffset? waking = null;
        var first = from;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var at = TruncateToSeconds(from + ((to - from) * _rng.NextDouble()));
            first = attempt == 0 ? at : first;
            if (waking is null && at.ToOffset(TimeSpan.FromHours(8)).Hour >= 8)
            {
                waking = at;
            }
        }

        var chosen = waking ?? first;
        return chosen < from ? from : chosen;
    }

    private string EventId(string channel, string? storeId, DateTimeOffset at, long seq)
    {
        var day = at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var n = seq.ToString("D6", CultureInfo.InvariantCulture);
        return storeId is null ? $"{channel}-{day}-{_runTag}-{n}" : $"{channel}-{storeId}-{day}-{_runTag}-{n}";
    }

    private string OrderId(string? storeId, DateTimeOffset at, long seq)
    {
        var day = at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var n = seq.ToString("D6", CultureInfo.InvariantCulture);
        return storeId is null ? $"EC-{day}-{_runTag}-{n}" : $"O-{storeId}-{day}-{_runTag}-{n}";
    }

    private string Birthday()
    {
        var year = 1965 + _rng.Next(43);
        var date = new DateOnly(year, 1, 1).AddDays(_rng.Next(365));
        return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private Properties Consent()
    {
        var consent = new Properties();
        foreach (var channel in ConsentChannels)
        {
            if (_rng.NextDouble() < 0.7)
            {
                consent.Add(channel, _rng.NextDouble() < 0.7);
            }
        }

        if (consent.Count == 0)
        {
            consent.Add("sms", _rng.NextDouble() < 0.5);
        }

        return consent;
    }

    private string Device(string channel) => channel switch
    {
        "app" => _rng.NextDouble() < 0.55 ? "ios" : "android",
        "wechat" => "miniprogram",
        _ => "browser",
    };

    private T Pick<T>(T[] options) => options[_rng.Next(options.Length)];

    private double Gaussian()
    {
        // Box-Muller.
        var u1 = 1.0 - _rng.NextDouble();
        var u2 = _rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private void Shuffle<T>(IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>Cents to a decimal with two places (26850 → 268.50, written as 268.50 in JSON).</summary>
    private static decimal Cents(long cents) => cents * 0.01m;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) =>
        new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);

    private sealed record Member(
        string Id,
        string Region,
        string HomeStore,
        double SpendScale,
        string FavouriteCategory,
        string OnlineChannel,
        DateTimeOffset RegisteredAt);

    private sealed class GenEvent(long seq, string type, Member member, DateTimeOffset at, Envelope envelope)
    {
        private string? _body;

        public long Seq { get; } = seq;
        public string Type { get; } = type;
        public Member Member { get; } = member;
        public DateTimeOffset At { get; } = at;
        public Envelope Envelope { get; } = envelope;
        public long AmountCents { get; set; }
        public bool IsEarly { get; set; }
        public GenEvent? EarlyRefund { get; set; }

        /// <summary>The JSON body, written once so a duplicate is byte-for-byte the same.</summary>
        public string Body => _body ??= Envelope.ToJson();
    }
}
