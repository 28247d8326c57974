using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Contracts.Events;

namespace Engagement.Contracts.Campaigns;

/// <summary>One problem with a definition, naming the JSON field (e.g. <c>arms[1].weight</c>).</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-field-error.v1")]
public sealed record CampaignFieldError
{
    public CampaignFieldError(string field, string message)
    {
        Field = field;
        Message = message;
    }

    [Id(0)] public string Field { get; init; }

    [Id(1)] public string Message { get; init; }
}

/// <summary>Defaults and validation of <see cref="CampaignDefinition"/>, shared by the API (400s) and the grain (refusal).</summary>
public static partial class CampaignDefinitions
{
    public const double DefaultControlShare = 0.10;
    public const double MaxControlShare = 0.5;
    public const int DefaultAttributionWindowDays = 7;
    public const int MaxAttributionWindowDays = 90;
    public const int MaxArms = 10;

    /// <summary>Largest unit cost of one grant, CNY (the largest coupon amount, <c>CouponTemplate.MaxAmount</c>).</summary>
    public const decimal MaxUnitCost = 100_000m;

    /// <summary>Most decimals of a CNY amount (its minor unit, CONTRACT.md §1 <c>amount</c>).</summary>
    public const int MoneyDecimals = 2;

    /// <summary>Most points one points offer credits (the largest manual adjustment, <c>AdjustmentPolicy.MaxDelta</c>).</summary>
    public const long MaxOfferPoints = 1_000_000;

    /// <summary>Largest relative weight of an arm.</summary>
    public const double MaxArmWeight = 1_000_000;
    public const string DefaultArmName = "main";

    /// <summary>
    /// How the campaign grain's <c>validUntil</c> error for a window already over begins (the rest names the end and now,
    /// UTC): the console tells it apart by this and words it in the programme's zone.
    /// </summary>
    public const string PassedMessagePrefix = "has passed";

    public static readonly IReadOnlySet<string> Channels = Members.ContactChannels.All;

    public static readonly IReadOnlySet<string> Stages = new HashSet<string>(StringComparer.Ordinal) { "new", "active", "at_risk", "dormant" };

    private static readonly HashSet<string> OfferKindSet = new(StringComparer.Ordinal) { OfferKinds.Coupon, OfferKinds.Points, OfferKinds.Benefit };

    /// <summary>Fills the documented defaults: one arm <c>main</c>, control share 0.10, attribution 7 days.</summary>
    public static CampaignDefinition Normalize(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition with
        {
            Audience = definition.Audience ?? new CampaignAudience(),
            Budget = definition.Budget ?? new CampaignBudget(),
            Arms = definition.Arms is { Count: > 0 } arms ? arms : [new CampaignArm { Name = DefaultArmName, Weight = 1 }],
            ControlShare = definition.ControlShare ?? DefaultControlShare,
            AttributionWindowDays = definition.AttributionWindowDays ?? DefaultAttributionWindowDays,
        };
    }

    /// <summary>
    /// Every problem of a (normalized or raw) definition; empty when it is valid. With <paramref name="tiers"/> (the
    /// programme's configured tier names, <c>Engagement:Program:Tiers</c>) an audience tier must be one of them, so a
    /// typo (<c>V9</c>) is a 400 naming <c>audience.tiers[i]</c> instead of an audience of nobody.
    /// </summary>
    public static IReadOnlyList<CampaignFieldError> Validate(CampaignDefinition? definition, IReadOnlyCollection<string>? tiers = null)
    {
        var errors = new List<CampaignFieldError>();
        if (definition is null)
        {
            errors.Add(new("body", "a campaign definition object is required"));
            return errors;
        }

        void Add(string field, string message) => errors.Add(new(field, message));

        if (!IsValidId(definition.Id))
        {
            Add("id", "required, " + IdRule);
        }

        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
        {
            Add("name", "required, 1–200 characters");
        }

        if (definition.Kind is not (CampaignKinds.Broadcast or CampaignKinds.Triggered))
        {
            Add("kind", "must be broadcast or triggered");
        }

        if (!Channels.Contains(definition.Channel ?? ""))
        {
            Add("channel", "must be sms, push, call or wechat");
        }

        if (definition.ValidFrom == default)
        {
            Add("validFrom", "required, ISO-8601 with offset");
        }

        if (definition.ValidUntil == default)
        {
            Add("validUntil", "required, ISO-8601 with offset");
        }
        else if (definition.ValidFrom != default && definition.ValidUntil <= definition.ValidFrom)
        {
            Add("validUntil", "must be after validFrom");
        }

        ValidateAudience(definition.Audience, tiers, Add);

        if (definition.Offer is null)
        {
            if (definition.Arms is null || definition.Arms.Count == 0 || definition.Arms.Any(a => a?.Offer is null))
            {
                Add("offer", "required (or an offer on every arm)");
            }
        }
        else
        {
            ValidateOffer(definition.Offer, "offer", Add);
        }

        var budget = definition.Budget ?? new CampaignBudget();
        if (budget.MaxGrants is < 0)
        {
            Add("budget.maxGrants", "must not be negative");
        }

        if (budget.MaxCost is < 0)
        {
            Add("budget.maxCost", "must not be negative");
        }
        else if (budget.MaxCost is { } maxCost && decimal.Round(maxCost, MoneyDecimals) != maxCost)
        {
            Add("budget.maxCost", "CNY: at most 2 decimals");
        }

        ValidateArms(definition.Arms, Add);

        if (definition.ControlShare is { } share && (double.IsNaN(share) || share < 0 || share > MaxControlShare))
        {
            Add("controlShare", "must be between 0 and 0.5");
        }

        if (definition.AttributionWindowDays is < 1 or > MaxAttributionWindowDays)
        {
            Add("attributionWindowDays", "must be between 1 and 90");
        }

        if (definition.Kind == CampaignKinds.Triggered)
        {
            if (definition.Trigger is null)
            {
                Add("trigger", "required for a triggered campaign");
            }
            else
            {
                if (!EventTypes.All.Contains(definition.Trigger.EventType ?? ""))
                {
                    Add("trigger.eventType", "must be an event type: " + string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal)));
                }

                if (definition.Trigger.ItemCategory is { } category && (category.Length == 0 || category.Length > 64))
                {
                    Add("trigger.itemCategory", "1–64 characters when given");
                }

                if (definition.Trigger.MinAmount is < 0)
                {
                    Add("trigger.minAmount", "must not be negative");
                }
            }
        }
        else if (definition.Kind == CampaignKinds.Broadcast && definition.Trigger is not null)
        {
            Add("trigger", "only triggered campaigns have a trigger");
        }

        return errors;
    }

    /// <summary>The campaign id rule: 1–64 chars of <c>A–Z a–z 0–9 _ - .</c>.</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= 64 } and not ("." or "..") && IdPattern().IsMatch(id);

    /// <summary>The campaign id rule in words, for problem details naming <c>id</c> or <c>campaignId</c>.</summary>
    public const string IdRule = "1–64 characters of A–Z a–z 0–9 _ - ., and not . or .. (the id is a URL path segment)";

    /// <summary>The offer an arm hands out: its own, else the campaign's.</summary>
    public static CampaignOffer OfferOf(CampaignDefinition definition, CampaignArm arm) =>
        arm.Offer ?? definition.Offer ?? throw new InvalidOperationException($"campaign {definition.Id} arm {arm.Name} has no offer");

    private static void ValidateAudience(CampaignAudience? audience, IReadOnlyCollection<string>? tiers, Action<string, string> add)
    {
        if (audience is null)
        {
            return;
        }

        // ownLength: the allowed rule bounds the length itself (a region id counts code points, not UTF-16 units).
        void Each(IReadOnlyList<string>? values, string field, Func<string, bool>? allowed = null, string? refusal = null, bool ownLength = false)
        {
            if (values is null)
            {
                return;
            }

            if (values.Count > 100)
            {
                add("audience." + field, "at most 100 values");
            }

            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                if (string.IsNullOrWhiteSpace(value) || (!ownLength && value.Length > 64))
                {
                    add(Indexed("audience." + field, i), "1–64 characters");
                }
                else if (allowed is not null && !allowed(value))
                {
                    add(Indexed("audience." + field, i), refusal ?? "is not allowed");
                }
            }
        }

        Each(audience.Tiers, "tiers", tiers is null ? null : tiers.Contains, "must be one of the programme's tiers: " + string.Join(", ", tiers ?? []));
        Each(audience.Segments, "segments");
        Each(audience.ValueClasses, "valueClasses", v => v is "A" or "B" or "C", "must be one of A, B, C");
        Each(audience.Stages, "stages", Stages.Contains, "must be one of new, active, at_risk, dormant");

        // Regions are an open set (whatever regionId the events carry): a campaign may name every region a member can be
        // in, so an entry keeps the events' own regionId rule (华东 is a region; a blank or over-long one is a typo).
        Each(audience.Regions, "regions", RegionIdRule.IsValid, "a region id: " + RegionIdRule.Rule, ownLength: true);
        Each(audience.Tags, "tags");
    }

    private static void ValidateOffer(CampaignOffer offer, string field, Action<string, string> add)
    {
        if (!OfferKindSet.Contains(offer.Kind ?? ""))
        {
            add(field + ".kind", "must be coupon, points or benefit");
        }

        if (string.IsNullOrWhiteSpace(offer.Code) || offer.Code.Length > 64)
        {
            add(field + ".code", "required, 1–64 characters");
        }

        if (offer.UnitCost < 0)
        {
            add(field + ".unitCost", "must not be negative");
        }
        else if (offer.UnitCost > MaxUnitCost || decimal.Round(offer.UnitCost, MoneyDecimals) != offer.UnitCost)
        {
            add(field + ".unitCost", "CNY: at most 100000, with at most 2 decimals");
        }

        if (offer.Coupon is { } coupon)
        {
            // The coupon's own rules (value, minSpend, validDays, scope sizes) are the domain's CouponTemplate's, checked
            // by the campaign grain and the API beside these; here only what they cannot read.
            if (offer.Kind != OfferKinds.Coupon)
            {
                add(field + ".coupon", $"only a coupon offer carries a coupon; this offer's kind is {offer.Kind}");
            }

            foreach (var (name, list) in new[] { ("regions", coupon.Regions), ("stores", coupon.Stores), ("skus", coupon.Skus), ("categories", coupon.Categories) })
            {
                if (list is null)
                {
                    add(field + ".coupon." + name, "must be a list of ids (it may be empty), not null");
                }
            }
        }

        if (offer.Kind == OfferKinds.Points && offer.Points is not > 0)
        {
            add(field + ".points", "required and greater than 0 for a points offer");
        }
        else if (offer.Points is > MaxOfferPoints)
        {
            add(field + ".points", "at most 1000000 points");
        }
    }

    private static void ValidateArms(IReadOnlyList<CampaignArm>? arms, Action<string, string> add)
    {
        if (arms is null || arms.Count == 0)
        {
            return;
        }

        if (arms.Count > MaxArms)
        {
            add("arms", "at most 10 arms");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < arms.Count; i++)
        {
            var arm = arms[i];
            var field = Indexed("arms", i);
            if (arm is null)
            {
                add(field, "must be an object");
                continue;
            }

            if (string.IsNullOrWhiteSpace(arm.Name) || arm.Name.Length > 32 || !IdPattern().IsMatch(arm.Name))
            {
                add(field + ".name", "required, 1–32 characters of A–Z a–z 0–9 _ - .");
            }
            else if (arm.Name is "control" or "global_control" || !names.Add(arm.Name))
            {
                add(field + ".name", "must be unique and not control or global_control");
            }

            if (double.IsNaN(arm.Weight) || double.IsInfinity(arm.Weight) || arm.Weight <= 0 || arm.Weight > MaxArmWeight)
            {
                add(field + ".weight", "must be greater than 0 and at most 1000000");
            }

            if (arm.Offer is not null)
            {
                ValidateOffer(arm.Offer, field + ".offer", add);
            }
        }
    }

    /// <summary>
    /// The coupons a definition's offers carry, each with its field (<c>offer.coupon</c>, <c>arms[1].offer.coupon</c>), for
    /// the checks of the domain's coupon rules (the API's and the campaign grain's).
    /// </summary>
    public static IEnumerable<(string Field, Offers.CouponGrant Coupon)> Coupons(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Offer?.Coupon is { } coupon)
        {
            yield return ("offer.coupon", coupon);
        }

        for (var i = 0; i < (definition.Arms?.Count ?? 0); i++)
        {
            if (definition.Arms![i]?.Offer?.Coupon is { } armCoupon)
            {
                yield return (Indexed("arms", i) + ".offer.coupon", armCoupon);
            }
        }
    }

    /// <summary>A coupon rule's field (<c>minSpend</c>, <c>scope.skus</c>) as a field of the coupon at <paramref name="couponField"/>: its scope lists are flat there.</summary>
    public static string CouponField(string couponField, string ruleField) =>
        couponField + "." + (ruleField.StartsWith("scope.", StringComparison.Ordinal) ? ruleField["scope.".Length..] : ruleField);

    private static string Indexed(string field, int index) => field + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
