using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Contracts.Members;

namespace Engagement.Contracts.Events;

/// <summary>
/// The field rules of CONTRACT.md §1. Rules that need a member's state (a refund no larger than what is
/// left unrefunded) are the member's job, not this one.
/// </summary>
public static partial class EventValidator
{
    public const int MaxEventIdLength = EventBounds.MaxEventIdLength;
    public const int MaxMemberIdLength = EventBounds.MaxMemberIdLength;
    public const decimal MaxPurchaseAmount = 10_000_000m;
    public const string DefaultCurrency = "CNY";

    /// <summary>
    /// Starts of orderIds the engine keeps for its own points lots: a staff adjustment (<c>adjustment|{id}</c>) and a points
    /// offer (<c>offer|{grantId}</c>). A purchase or refund under one would pass for, or block, that lot, so it is refused
    /// naming <c>orderId</c>. The domain owns them (<c>AdjustmentPolicy.EventIdPrefix</c>,
    /// <c>OfferFulfilment.PointsLotPrefix</c>); a test pins these equal.
    /// </summary>
    public const string AdjustmentLotPrefix = "adjustment|";

    /// <inheritdoc cref="AdjustmentLotPrefix"/>
    public const string OfferLotPrefix = "offer|";

    /// <summary>How far in the future <c>occurredAt</c> may be (clock skew between producers and the engine).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    // Contract order, for messages people read.
    private static readonly string[] TypesInOrder =
    [
        EventTypes.Register, EventTypes.Purchase, EventTypes.Refund, EventTypes.Login, EventTypes.Browse,
        EventTypes.AddToCart, EventTypes.Share, EventTypes.Review, EventTypes.Complaint, EventTypes.ProfileUpdate,
    ];

    /// <summary>Every broken rule of <paramref name="evt"/> under the contract's default currencies (CNY only); empty when it is valid.</summary>
    public static IReadOnlyList<EventValidationError> Validate(EngagementEvent evt, DateTimeOffset now) =>
        Validate(evt, now, EventCurrencies.ProgrammeDefault);

    /// <summary>Every broken rule of <paramref name="evt"/>, with the currencies the programme accepts; empty when it is valid.</summary>
    public static IReadOnlyList<EventValidationError> Validate(EngagementEvent evt, DateTimeOffset now, EventCurrencies currencies)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var errors = new List<EventValidationError>();
        ValidateBounds(evt, now, errors);

        if (string.IsNullOrWhiteSpace(evt.EventId))
        {
            errors.Add(new("eventId", "required"));
        }
        else if (EventBounds.CodePoints(evt.EventId) > MaxEventIdLength)
        {
            errors.Add(new("eventId", "must be 1–128 characters"));
        }

        if (string.IsNullOrEmpty(evt.Type))
        {
            errors.Add(new("type", "required"));
        }
        else if (!EventTypes.All.Contains(evt.Type))
        {
            errors.Add(new("type", $"'{EventBounds.Echo(evt.Type)}' is not one of {string.Join(", ", TypesInOrder)}"));
        }

        if (string.IsNullOrEmpty(evt.MemberId))
        {
            errors.Add(new("memberId", "required"));
        }
        else if (!IsValidMemberId(evt.MemberId))
        {
            errors.Add(new("memberId", MemberIdRule));
        }

        if (evt.OccurredAt == default)
        {
            errors.Add(new("occurredAt", "required"));
        }
        else if (evt.OccurredAt > now + MaxFutureSkew)
        {
            errors.Add(new("occurredAt", "more than 5 minutes in the future"));
        }

        switch (evt.Type)
        {
            case EventTypes.Purchase:
                if (evt.Amount is not { } amount || amount <= 0 || amount > MaxPurchaseAmount)
                {
                    errors.Add(new("amount", "must be > 0 and ≤ 10,000,000 for a purchase"));
                }

                if (string.IsNullOrWhiteSpace(evt.OrderId))
                {
                    errors.Add(new("orderId", "required for a purchase"));
                }
                else
                {
                    ValidateOrderId(evt.OrderId, errors);
                }

                break;
            case EventTypes.Refund:
                if (evt.Amount is not { } refunded || refunded <= 0)
                {
                    errors.Add(new("amount", "must be > 0 for a refund"));
                }

                if (string.IsNullOrWhiteSpace(evt.OrderId))
                {
                    errors.Add(new("orderId", "required for a refund (the purchase's orderId)"));
                }
                else
                {
                    ValidateOrderId(evt.OrderId, errors);
                }

                break;
            case EventTypes.ProfileUpdate:
                ValidateProfile(evt.Properties, errors);
                break;
        }

        // CONTRACT.md §1: coupons are purchase only. Other fields a type has no use for (orderId, amount, items on a
        // login) are optional and change nothing, so they pass; coupon codes are a till's claim that they were used,
        // so dropping them would leave the coupons unredeemed without a word: the event is refused naming coupons.
        // A refund is the exception: tills echo the order's codes on it, the order's coupons are restored by the
        // order (a full refund), and refusing it would leave its points and growth unreversed, so its codes are
        // accepted and ignored.
        if (evt.Coupons is { Count: > 0 } && evt.Type != EventTypes.Purchase && evt.Type != EventTypes.Refund
            && EventTypes.All.Contains(evt.Type))
        {
            errors.Add(new("coupons", $"purchase only (CONTRACT.md §1): a coupon is redeemed by the purchase of its order, a {evt.Type} redeems none; send the codes on the purchase, or leave coupons out"));
        }

        ValidateMoney(evt, currencies, errors);
        return errors;
    }

    /// <summary>
    /// CONTRACT.md §1 money rules: the currency is the programme's or one configured with a rate, and the amount has at
    /// most as many decimals as that currency's minor unit (<c>28.999999999999996</c> is refused, never floored).
    /// </summary>
    private static void ValidateMoney(EngagementEvent evt, EventCurrencies currencies, List<EventValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(currencies);
        if (string.IsNullOrWhiteSpace(evt.Currency))
        {
            errors.Add(new("currency", $"must not be empty (leave it out for {currencies.ProgrammeCurrency})"));
            return;
        }

        if (!currencies.TryGetDecimals(evt.Currency, out var decimals))
        {
            errors.Add(new("currency", $"'{EventBounds.Echo(evt.Currency)}' is not accepted: use {string.Join(" or ", currencies.Accepted)} (ISO 4217, upper case)"));
            return;
        }

        if (evt.Amount is { } amount && decimal.Round(amount, decimals) != amount && !errors.Exists(e => e.Field == "amount"))
        {
            var unit = decimals == 0 ? "no decimals" : $"at most {decimals} decimal{(decimals == 1 ? "" : "s")}";
            errors.Add(new("amount", string.Create(CultureInfo.InvariantCulture, $"{amount} has more decimals than {evt.Currency} allows ({unit}); send the exact amount, it is never rounded")));
        }
    }

    /// <summary>An orderId may not start with a prefix of the engine's own points lots (<see cref="AdjustmentLotPrefix"/>, <see cref="OfferLotPrefix"/>).</summary>
    private static void ValidateOrderId(string orderId, List<EventValidationError> errors)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[AdjustmentLotPrefix, OfferLotPrefix])
        {
            if (orderId.StartsWith(prefix, StringComparison.Ordinal))
            {
                errors.Add(new("orderId", $"must not start with '{prefix}' (reserved for the engine's own points lots)"));
                return;
            }
        }
    }

    private static void ValidateProfile(IReadOnlyDictionary<string, string> properties, List<EventValidationError> errors)
    {
        if (properties.TryGetValue("birthday", out var birthday)
            && !DateOnly.TryParseExact(birthday, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add(new("properties.birthday", "must be a date YYYY-MM-DD"));
        }

        if (properties.TryGetValue("timeZone", out var timeZone) && !IsKnownIanaTimeZone(timeZone))
        {
            errors.Add(new("properties.timeZone", $"'{EventBounds.Echo(timeZone)}' is not a known IANA time zone (e.g. Asia/Shanghai)"));
        }

        foreach (var (key, value) in properties)
        {
            if (!key.StartsWith("consent.", StringComparison.Ordinal))
            {
                continue;
            }

            // Only the contract's channels: each other name would be a new entry in the member's stored consent, for good.
            if (!ContactChannels.All.Contains(key["consent.".Length..].ToLowerInvariant()))
            {
                errors.Add(new("properties." + EventBounds.Echo(key), $"not a consent channel; one of {string.Join(", ", ContactChannels.InOrder)}"));
            }
            else if (!bool.TryParse(value, out _))
            {
                errors.Add(new("properties." + key, "must be true or false"));
            }
        }
    }

    /// <summary>An IANA id this machine knows. Windows ids (they contain spaces) are refused: the wire speaks IANA.</summary>
    public static bool IsKnownIanaTimeZone(string? id) =>
        !string.IsNullOrWhiteSpace(id)
        && !id.Contains(' ', StringComparison.Ordinal)
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MemberIdPattern();
}
