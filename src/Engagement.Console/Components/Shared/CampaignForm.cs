using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;

namespace Engagement.Console.Components.Shared;

/// <summary>
/// The create form's fields (/console/campaigns), the definition they make (<c>POST /api/v1/campaigns</c>'s body,
/// CONTRACT.md §4) and which input each of the API's problem-details keys belongs under. No rule of the definition is
/// decided here: the API validates (<see cref="CampaignDefinitions.Validate"/>) and names the field; the form only checks
/// what it builds itself (the start's text and the days of validity, from which it computes the window) and that each
/// number is one: every numeric input is kept as typed and read in the invariant culture (<c>7.5</c>, no group
/// separators, no full-width digits), so text that is not a number is named under its input by <see cref="Check"/>, never
/// sent as 0, as the previous value, or as another number (<c>7,5</c> read as 75).
/// </summary>
public sealed partial class CampaignForm
{
    /// <summary>The format of <see cref="From"/>: a local time in the programme's time zone, to the minute.</summary>
    public const string FromFormat = "yyyy-MM-dd HH:mm";

    /// <summary>The most days of validity the form sends (about ten years); more is named under the days by <see cref="Check"/>.</summary>
    public const int MaxDays = 3650;

    /// <summary>One arm: its name and its relative weight (&gt; 0; the API allows up to 1,000,000).</summary>
    public sealed class Arm
    {
        /// <summary>1–32 characters of <c>A–Z a–z 0–9 _ - .</c>, unique, not <c>control</c> or <c>global_control</c>.</summary>
        public string Name { get; set; } = "";

        /// <summary>Relative weight among the arms, as typed (default 1); not a number: named under the weight.</summary>
        public string Weight { get; set; } = "1";
    }

    /// <summary>The campaign id (1–64 characters of <c>A–Z a–z 0–9 _ - .</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>The campaign's name (1–200 characters).</summary>
    public string Name { get; set; } = "";

    /// <summary><c>broadcast</c> or <c>triggered</c> (<see cref="CampaignKinds"/>).</summary>
    public string Kind { get; set; } = CampaignKinds.Broadcast;

    /// <summary><c>sms</c>, <c>push</c>, <c>call</c> or <c>wechat</c>.</summary>
    public string Channel { get; set; } = "push";

    /// <summary>Audience regions, comma separated (empty: any).</summary>
    public string Regions { get; set; } = "";

    /// <summary>Audience tiers, comma separated (empty: any); each one of the programme's tiers.</summary>
    public string Tiers { get; set; } = "";

    /// <summary>The arms, in order: error keys <c>arms[i]</c> index this list.</summary>
    public List<Arm> Arms { get; } = [new() { Name = "a" }, new() { Name = "b" }];

    /// <summary>Share held out as control, 0–0.5, as typed; unreadable: the API's default in previews, named at Create.</summary>
    public string ControlShare { get; set; } = CampaignDefinitions.DefaultControlShare.ToString(CultureInfo.InvariantCulture);

    /// <summary>Days after assignment in which a purchase counts as a conversion, 1–90, as typed (a whole number).</summary>
    public string AttributionWindowDays { get; set; } = CampaignDefinitions.DefaultAttributionWindowDays.ToString(CultureInfo.InvariantCulture);

    /// <summary>The start, <see cref="FromFormat"/> in the programme's time zone; the page fills it with now.</summary>
    public string From { get; set; } = "";

    /// <summary>
    /// Days of validity from the start (at least 1), as typed (a whole number): the window ends this many days after
    /// <see cref="From"/>.
    /// </summary>
    public string Days { get; set; } = "14";

    /// <summary><c>coupon</c>, <c>points</c> or <c>benefit</c> (<see cref="OfferKinds"/>).</summary>
    public string OfferKind { get; set; } = OfferKinds.Coupon;

    /// <summary>The coupon/benefit code; empty: no offer (the API then names <c>offer</c> as required).</summary>
    public string OfferCode { get; set; } = "";

    /// <summary>
    /// Cost to the programme of one grant, CNY (0–100,000, at most 2 decimals), as typed: read as an invariant-culture
    /// number (<c>7.5</c>); text that is not one (<c>7.5元</c>, full-width digits) is named by <see cref="Check"/>, never
    /// sent as another value.
    /// </summary>
    public string UnitCost { get; set; } = "5";

    /// <summary>Points granted by a points offer (1–1,000,000), as typed (a whole number); ignored for other kinds.</summary>
    public string Points { get; set; } = "";

    /// <summary>
    /// The budget, CNY (<c>budget.maxCost</c>), as typed; empty: no limit. Text that is not a number (<c>300元</c>) is
    /// named by <see cref="Check"/>: it is never sent as "no budget".
    /// </summary>
    public string Budget { get; set; } = "";

    /// <summary>Most grants (<c>budget.maxGrants</c>), as typed (a whole number); empty: no limit.</summary>
    public string MaxGrants { get; set; } = "";

    /// <summary>For a triggered campaign: the event type that fires it (CONTRACT.md §1).</summary>
    public string TriggerEvent { get; set; } = EventTypes.Purchase;

    /// <summary>For a triggered campaign: the item category the event must carry (optional).</summary>
    public string TriggerCategory { get; set; } = "";

    /// <summary>For a triggered campaign: the least amount of the event, CNY, as typed; empty: none.</summary>
    public string TriggerMinAmount { get; set; } = "";

    /// <summary>For a triggered campaign: higher first when several match one event, as typed (a whole number).</summary>
    public string Priority { get; set; } = "0";

    /// <summary>
    /// The start in <paramref name="zone"/> (the programme's), or null when <see cref="From"/> is not a local time or has
    /// no instant (0001-01-01 00:00 east of UTC). Never throws for what was typed. A local time skipped by a clock change
    /// (a spring-forward gap) is read with the zone's standard offset, so it is moved forward by the gap
    /// (<see cref="MovedStart"/> says to what); one that occurs twice (a fall-back overlap) is the later, standard-time one.
    /// </summary>
    public DateTimeOffset? ValidFrom(TimeZoneInfo zone) => Local(zone) is { } local ? Instant(local, zone) : null;

    /// <summary>
    /// The end: <see cref="From"/> plus <see cref="Days"/> days as a local time in <paramref name="zone"/>, read by the
    /// same rule as the start (so a window across a clock change ends at the wall-clock time it started); null when the
    /// start is unreadable, the days are outside 1–<see cref="MaxDays"/>, or the end has no instant (after year 9999).
    /// </summary>
    public DateTimeOffset? ValidUntil(TimeZoneInfo zone)
    {
        if (Local(zone) is not { } local || Whole(Days) is not { } days || days < 1 || days > MaxDays || local > DateTime.MaxValue.AddDays(-days))
        {
            return null;
        }

        return Instant(local.AddDays(days), zone);
    }

    /// <summary>
    /// When <see cref="From"/> falls in a spring-forward gap of <paramref name="zone"/>: the local time the campaign
    /// starts at instead (the typed time moved forward by the gap); otherwise null.
    /// </summary>
    public DateTime? MovedStart(TimeZoneInfo zone) =>
        Local(zone) is { } local && zone.IsInvalidTime(local) && ValidFrom(zone) is { } from
            ? TimeZoneInfo.ConvertTime(from, zone).DateTime
            : null;

    /// <summary>
    /// The form's own checks, before anything is sent: the start must read as <see cref="FromFormat"/> (and be an instant),
    /// the window last 1–<see cref="MaxDays"/> days and end by year 9999, and every number read as one (an unreadable
    /// budget would otherwise be sent as no limit, a weight as its previous value): amounts and shares as
    /// <c>Form_NotANumber</c>, counts as <c>Form_NotAWholeNumber</c> (a whole number past an int, for the attribution
    /// window and priority, as <c>Form_IntOutOfRange</c>; see <see cref="ArgumentsOf"/>). Returns input keys (as <see cref="InputOf"/>) with
    /// a resource name of <c>CampaignStrings</c>.
    /// </summary>
    public IReadOnlyList<(string Input, string Text)> Check(TimeZoneInfo zone)
    {
        var problems = new List<(string, string)>();
        if (ValidFrom(zone) is null)
        {
            problems.Add(("f-from", "Form_FromInvalid"));
        }

        if (Whole(Days) is not { } days)
        {
            problems.Add(("f-days", "Form_NotAWholeNumber"));
        }
        else if (days < 1)
        {
            problems.Add(("f-days", "Form_DaysMin"));
        }
        else if (days > MaxDays)
        {
            problems.Add(("f-days", "Form_DaysMax"));
        }
        else if (ValidFrom(zone) is not null && ValidUntil(zone) is null)
        {
            problems.Add(("f-days", "Form_EndTooLate"));
        }

        if (UnitCost.Trim().Length == 0 || Amount(UnitCost) is null)
        {
            problems.Add(("f-cost", "Form_NotANumber"));
        }

        // An empty optional input is no value; anything else typed must read as its kind of number.
        void Number(string input, string text, bool optional, Func<string, bool> reads, string problem)
        {
            if ((text.Trim().Length > 0 || !optional) && !reads(text))
            {
                problems.Add((input, problem));
            }
        }

        static bool IsAmount(string text) => Amount(text) is not null;
        static bool IsWhole(string text) => Whole(text) is not null;
        static bool IsInt(string text) => Int(text) is not null;

        // A whole number past an int is a whole number: it is named as out of range (Form_IntOutOfRange), not as unreadable.
        void Count(string input, string text)
        {
            if (Whole(text) is not null && !IsInt(text))
            {
                problems.Add((input, "Form_IntOutOfRange"));
            }
            else
            {
                Number(input, text, optional: false, IsInt, "Form_NotAWholeNumber");
            }
        }

        Number("f-budget", Budget, optional: true, IsAmount, "Form_NotANumber");
        Number("f-grants", MaxGrants, optional: true, IsWhole, "Form_NotAWholeNumber");
        Number("f-control", ControlShare, optional: false, IsAmount, "Form_NotANumber");
        Count("f-attribution", AttributionWindowDays);
        for (var i = 0; i < Arms.Count; i++)
        {
            Number($"f-arm-weight-{i}", Arms[i].Weight, optional: false, IsAmount, "Form_NotANumber");
        }

        if (OfferKind == OfferKinds.Points)
        {
            Number("f-points", Points, optional: true, IsWhole, "Form_NotAWholeNumber");
        }

        if (Kind == CampaignKinds.Triggered)
        {
            Number("f-trigger-min", TriggerMinAmount, optional: true, IsAmount, "Form_NotANumber");
            Count("f-priority", Priority);
        }

        return problems;
    }

    /// <summary>
    /// The definition the form describes. The window starts at <see cref="From"/> (the programme's local time) and ends
    /// <see cref="Days"/> days later (<see cref="ValidFrom"/>, <see cref="ValidUntil"/>); an unreadable start or end gives
    /// <c>default</c>, which the API names. Never throws for what was typed (the page builds it on every render).
    /// </summary>
    public CampaignDefinition ToDefinition(TimeZoneInfo zone)
    {
        var from = ValidFrom(zone) ?? default;
        var until = ValidUntil(zone) ?? default;
        var code = OfferCode.Trim();
        var triggered = Kind == CampaignKinds.Triggered;
        return new CampaignDefinition
        {
            Id = Id.Trim(),
            Name = Name.Trim(),
            Kind = Kind,
            Channel = Channel,
            Priority = triggered ? Int(Priority) ?? 0 : 0,
            Audience = new CampaignAudience { Regions = Split(Regions), Tiers = Split(Tiers) },
            Offer = code.Length == 0 ? null : new CampaignOffer
            {
                Kind = OfferKind,
                Code = code,
                UnitCost = Amount(UnitCost) ?? 0m,
                Points = OfferKind == OfferKinds.Points ? Whole(Points) : null,
            },
            ValidFrom = from,
            ValidUntil = until,
            Budget = new CampaignBudget { MaxCost = Amount(Budget), MaxGrants = Whole(MaxGrants) },
            Arms = [.. Arms.Select(a => new CampaignArm { Name = a.Name.Trim(), Weight = (double)(Amount(a.Weight) ?? 0m) })],
            ControlShare = Amount(ControlShare) is { } share ? (double)share : null,
            AttributionWindowDays = Int(AttributionWindowDays),
            Trigger = triggered
                ? new CampaignTrigger
                {
                    EventType = TriggerEvent,
                    ItemCategory = string.IsNullOrWhiteSpace(TriggerCategory) ? null : TriggerCategory.Trim(),
                    MinAmount = Amount(TriggerMinAmount),
                }
                : null,
        };
    }

    /// <summary>Fills the fields with a definition as it was sent (its start shown in <paramref name="zone"/>, numbers invariant).</summary>
    public void Show(CampaignDefinition definition, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Id = definition.Id;
        Name = definition.Name;
        Kind = definition.Kind;
        Channel = definition.Channel;
        Priority = Text(definition.Priority);
        Regions = string.Join(",", definition.Audience.Regions);
        Tiers = string.Join(",", definition.Audience.Tiers);
        Arms.Clear();
        Arms.AddRange(definition.Arms.Select(a => new Arm { Name = a.Name, Weight = Fraction(a.Weight) }));
        ControlShare = definition.ControlShare is { } share ? Fraction(share) : ControlShare;
        AttributionWindowDays = definition.AttributionWindowDays is { } window ? Text(window) : AttributionWindowDays;
        From = definition.ValidFrom == default ? From : TimeZoneInfo.ConvertTime(definition.ValidFrom, zone).ToString(FromFormat, CultureInfo.InvariantCulture);
        OfferKind = definition.Offer?.Kind ?? OfferKind;
        OfferCode = definition.Offer?.Code ?? "";
        UnitCost = definition.Offer is { } offer ? offer.UnitCost.ToString(CultureInfo.InvariantCulture) : UnitCost;
        Points = definition.Offer?.Points is { } points ? Text(points) : "";
        Budget = definition.Budget.MaxCost?.ToString(CultureInfo.InvariantCulture) ?? "";
        MaxGrants = definition.Budget.MaxGrants is { } grants ? Text(grants) : "";
        TriggerEvent = definition.Trigger?.EventType ?? TriggerEvent;
        TriggerCategory = definition.Trigger?.ItemCategory ?? "";
        TriggerMinAmount = definition.Trigger?.MinAmount is { } least ? Text(least) : "";
    }

    /// <summary>
    /// The input a problem-details key belongs under (its <c>data-testid</c>): <c>audience.regions[0]</c> → <c>f-regions</c>,
    /// <c>arms[1].weight</c> → <c>f-arm-weight-1</c>, <c>offer.unitCost</c> → <c>f-cost</c>, <c>budget.maxCost</c> →
    /// <c>f-budget</c>; null for a key no input of the form sets (shown in the form's list of errors only).
    /// </summary>
    public static string? InputOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (ArmKey().Match(key) is { Success: true } arm)
        {
            return (arm.Groups[2].Value == ".weight" ? "f-arm-weight-" : "f-arm-name-") + arm.Groups[1].Value;
        }

        var root = key.Split('[')[0];
        return root switch
        {
            "id" => "f-id",
            "name" => "f-name",
            "kind" => "f-kind",
            "channel" => "f-channel",
            "priority" => "f-priority",
            "audience.regions" => "f-regions",
            "audience.tiers" => "f-tiers",
            "arms" => "f-arms",
            "controlShare" => "f-control",
            "attributionWindowDays" => "f-attribution",
            "validFrom" => "f-from",
            "validUntil" => "f-days",
            "offer.kind" => "f-offer-kind",
            "offer" or "offer.code" => "f-coupon",
            "offer.points" => "f-points",
            "budget" or "budget.maxCost" => "f-budget",
            "budget.maxGrants" => "f-grants",
            "trigger" or "trigger.eventType" => "f-trigger-event",
            "trigger.itemCategory" => "f-trigger-category",
            "trigger.minAmount" => "f-trigger-min",

            // The unit cost, and the no-threshold coupon the console's coupon offer describes with it.
            _ when root == "offer.unitCost" || root.StartsWith("offer.coupon", StringComparison.Ordinal) => "f-cost",
            _ => null,
        };
    }

    // The start as typed, a local time in the zone; null when it does not read as FromFormat.
    private DateTime? Local(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateTime.TryParseExact(From.Trim(), FromFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) ? local : null;
    }

    // A local time of the zone as an instant: a skipped time with the standard offset, an ambiguous one as standard time
    // (GetUtcOffset's choice); null when the instant is before year 1 or after 9999.
    private static DateTimeOffset? Instant(DateTime local, TimeZoneInfo zone)
    {
        var offset = zone.IsInvalidTime(local) ? zone.BaseUtcOffset : zone.GetUtcOffset(local);
        var utcTicks = local.Ticks - offset.Ticks;
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks ? null : new DateTimeOffset(local, offset);
    }

    // An amount in CNY as typed (invariant culture: "7.5", "-5"); null when empty or not a number. No group separators:
    // "7,5" is refused, not read as 75.
    private static decimal? Amount(string text) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;

    // A whole number as typed (invariant culture: "14", "-1"); null when empty, not one ("7.5", "１４") or past a long.
    private static long? Whole(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    // A whole number that fits an int (the API's attribution window and priority); null otherwise.
    private static int? Int(string text) => Whole(text) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    private static string Text(IFormattable number) => number.ToString(null, CultureInfo.InvariantCulture);

    // A weight or share as Amount reads it back: fixed-point, never an exponent (0.00001, not "1E-05").
    private static string Fraction(double number) => number.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>
    /// The values a problem's text from <see cref="Check"/> names, in order: <c>Form_DaysMax</c> the most days
    /// (<see cref="MaxDays"/>), <c>Form_IntOutOfRange</c> the least and most whole number the API reads
    /// (<see cref="int.MinValue"/>, <see cref="int.MaxValue"/>); none for the others.
    /// </summary>
    public static object[] ArgumentsOf(string problem) => problem switch
    {
        "Form_DaysMax" => [MaxDays],
        "Form_IntOutOfRange" => [int.MinValue, int.MaxValue],
        _ => [],
    };

    private static string[] Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^arms\[(\d+)\](\.weight|\.name|\.offer.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ArmKey();
}
