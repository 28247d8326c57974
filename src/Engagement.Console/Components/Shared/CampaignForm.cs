using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;

namespace Engagement.Console.Components.Shared;

/// <summary>
/// The create form's fields (/console/campaigns), the definition they make (<c>POST /api/v1/campaigns</c>'s body,
/// CONTRACT.md §4) and which input each of the API's problem-details keys belongs under. No rule of the definition is
/// decided here: the API validates (<see cref="CampaignDefinitions.Validate"/>) and names the field; the form only checks
/// what it builds itself (the start's text and the days of validity, from which it computes the window).
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

        /// <summary>Relative weight among the arms (default 1).</summary>
        public double Weight { get; set; } = 1;
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

    /// <summary>Share held out as control, 0–0.5.</summary>
    public double ControlShare { get; set; } = CampaignDefinitions.DefaultControlShare;

    /// <summary>Days after assignment in which a purchase counts as a conversion, 1–90.</summary>
    public int AttributionWindowDays { get; set; } = CampaignDefinitions.DefaultAttributionWindowDays;

    /// <summary>The start, <see cref="FromFormat"/> in the programme's time zone; the page fills it with now.</summary>
    public string From { get; set; } = "";

    /// <summary>Days of validity from the start (at least 1): the window ends this many days after <see cref="From"/>.</summary>
    public int Days { get; set; } = 14;

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

    /// <summary>Points granted by a points offer (1–1,000,000); ignored for other kinds.</summary>
    public long? Points { get; set; }

    /// <summary>
    /// The budget, CNY (<c>budget.maxCost</c>), as typed; empty: no limit. Text that is not a number (<c>300元</c>) is
    /// named by <see cref="Check"/>: it is never sent as "no budget".
    /// </summary>
    public string Budget { get; set; } = "";

    /// <summary>Most grants (<c>budget.maxGrants</c>); null: no limit.</summary>
    public long? MaxGrants { get; set; }

    /// <summary>For a triggered campaign: the event type that fires it (CONTRACT.md §1).</summary>
    public string TriggerEvent { get; set; } = EventTypes.Purchase;

    /// <summary>For a triggered campaign: the item category the event must carry (optional).</summary>
    public string TriggerCategory { get; set; } = "";

    /// <summary>For a triggered campaign: the least amount of the event, CNY (optional).</summary>
    public decimal? TriggerMinAmount { get; set; }

    /// <summary>For a triggered campaign: higher first when several match one event.</summary>
    public int Priority { get; set; }

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
        if (Local(zone) is not { } local || Days < 1 || Days > MaxDays || local > DateTime.MaxValue.AddDays(-Days))
        {
            return null;
        }

        return Instant(local.AddDays(Days), zone);
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
    /// the window last 1–<see cref="MaxDays"/> days and end by year 9999, and the cost and budget read as numbers (an
    /// unreadable budget would otherwise be sent as no limit). Returns input keys (as <see cref="InputOf"/>) with a
    /// resource name of <c>CampaignStrings</c>.
    /// </summary>
    public IReadOnlyList<(string Input, string Text)> Check(TimeZoneInfo zone)
    {
        var problems = new List<(string, string)>();
        if (ValidFrom(zone) is null)
        {
            problems.Add(("f-from", "Form_FromInvalid"));
        }

        if (Days < 1)
        {
            problems.Add(("f-days", "Form_DaysMin"));
        }
        else if (Days > MaxDays)
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

        if (Budget.Trim().Length > 0 && Amount(Budget) is null)
        {
            problems.Add(("f-budget", "Form_NotANumber"));
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
            Priority = triggered ? Priority : 0,
            Audience = new CampaignAudience { Regions = Split(Regions), Tiers = Split(Tiers) },
            Offer = code.Length == 0 ? null : new CampaignOffer
            {
                Kind = OfferKind,
                Code = code,
                UnitCost = Amount(UnitCost) ?? 0m,
                Points = OfferKind == OfferKinds.Points ? Points : null,
            },
            ValidFrom = from,
            ValidUntil = until,
            Budget = new CampaignBudget { MaxCost = Amount(Budget), MaxGrants = MaxGrants },
            Arms = [.. Arms.Select(a => new CampaignArm { Name = a.Name.Trim(), Weight = a.Weight })],
            ControlShare = ControlShare,
            AttributionWindowDays = AttributionWindowDays,
            Trigger = triggered
                ? new CampaignTrigger
                {
                    EventType = TriggerEvent,
                    ItemCategory = string.IsNullOrWhiteSpace(TriggerCategory) ? null : TriggerCategory.Trim(),
                    MinAmount = TriggerMinAmount,
                }
                : null,
        };
    }

    /// <summary>Fills the fields with a definition as it was sent (its start shown in <paramref name="zone"/>).</summary>
    public void Show(CampaignDefinition definition, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Id = definition.Id;
        Name = definition.Name;
        Kind = definition.Kind;
        Channel = definition.Channel;
        Priority = definition.Priority;
        Regions = string.Join(",", definition.Audience.Regions);
        Tiers = string.Join(",", definition.Audience.Tiers);
        Arms.Clear();
        Arms.AddRange(definition.Arms.Select(a => new Arm { Name = a.Name, Weight = a.Weight }));
        ControlShare = definition.ControlShare ?? ControlShare;
        AttributionWindowDays = definition.AttributionWindowDays ?? AttributionWindowDays;
        From = definition.ValidFrom == default ? From : TimeZoneInfo.ConvertTime(definition.ValidFrom, zone).ToString(FromFormat, CultureInfo.InvariantCulture);
        OfferKind = definition.Offer?.Kind ?? OfferKind;
        OfferCode = definition.Offer?.Code ?? "";
        UnitCost = definition.Offer is { } offer ? offer.UnitCost.ToString(CultureInfo.InvariantCulture) : UnitCost;
        Points = definition.Offer?.Points;
        Budget = definition.Budget.MaxCost?.ToString(CultureInfo.InvariantCulture) ?? "";
        MaxGrants = definition.Budget.MaxGrants;
        TriggerEvent = definition.Trigger?.EventType ?? TriggerEvent;
        TriggerCategory = definition.Trigger?.ItemCategory ?? "";
        TriggerMinAmount = definition.Trigger?.MinAmount;
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

    private static string[] Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^arms\[(\d+)\](\.weight|\.name|\.offer.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ArmKey();
}
