using System.Globalization;

namespace Engagement.Contracts.Events;

/// <summary>The size and time bounds of the envelope (<see cref="EventBounds"/>), kept apart from the business rules.</summary>
public static partial class EventValidator
{
    /// <summary>
    /// A memberId every endpoint can route: 1–64 of <c>A–Z a–z 0–9 _ - . :</c> and not <c>.</c> or <c>..</c>
    /// (a URL path normalises those away, so <c>/members/..</c> could never be read).
    /// </summary>
    public static bool IsValidMemberId(string? memberId) =>
        memberId is { Length: > 0 and <= EventBounds.MaxMemberIdLength } and not ("." or "..") && MemberIdPattern().IsMatch(memberId);

    /// <summary>The memberId rule in words, for problem details and poison reasons.</summary>
    public const string MemberIdRule = "must be 1–64 characters of A–Z a–z 0–9 _ - . :, and not . or ..";

    /// <summary>Every bound of <see cref="EventBounds"/> that <paramref name="evt"/> breaks, and the 365-day age limit.</summary>
    private static void ValidateBounds(EngagementEvent evt, DateTimeOffset now, List<EventValidationError> errors)
    {
        if (evt.OccurredAt != default && evt.OccurredAt < now - EventBounds.MaxEventAge)
        {
            errors.Add(new("occurredAt", "more than 365 days in the past"));
        }

        if (evt.OrderId is { } orderId && EventBounds.CodePoints(orderId) > EventBounds.MaxOrderIdLength)
        {
            errors.Add(new("orderId", "must be 1–128 characters"));
        }

        AtMost("storeId", evt.StoreId, EventBounds.MaxStoreIdLength, errors);
        AtMost("regionId", evt.RegionId, EventBounds.MaxRegionIdLength, errors);
        AtMost("channel", evt.Channel, EventBounds.MaxChannelLength, errors);
        ValidateItems(evt.Items, errors);
        ValidateProperties(evt.Properties, errors);
    }

    private static void ValidateItems(IReadOnlyList<EventItem>? items, List<EventValidationError> errors)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > EventBounds.MaxItems)
        {
            errors.Add(new("items", "at most 100 lines"));
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"items[{i}]");
            AtMost(field + ".sku", items[i].Sku, EventBounds.MaxItemTextLength, errors);
            AtMost(field + ".category", items[i].Category, EventBounds.MaxItemTextLength, errors);
            if (items[i].Quantity is < 0 or > EventBounds.MaxItemQuantity)
            {
                errors.Add(new(field + ".quantity", "must be 0–10,000"));
            }

            if (items[i].UnitPrice is < 0 or > EventBounds.MaxItemUnitPrice)
            {
                errors.Add(new(field + ".unitPrice", "must be 0–10,000,000"));
            }
        }
    }

    private static void ValidateProperties(IReadOnlyDictionary<string, string>? properties, List<EventValidationError> errors)
    {
        if (properties is null)
        {
            return;
        }

        if (properties.Count > EventBounds.MaxProperties)
        {
            errors.Add(new("properties", "at most 32 keys (nested keys counted one by one)"));
            return;
        }

        foreach (var (key, value) in properties)
        {
            if (key.Length == 0 || EventBounds.CodePoints(key) > EventBounds.MaxPropertyKeyLength)
            {
                errors.Add(new("properties", $"key '{EventBounds.Echo(key)}' must be 1–64 characters"));
            }
            else if (value is not null && EventBounds.CodePoints(value) > EventBounds.MaxPropertyValueLength)
            {
                errors.Add(new("properties." + key, "at most 512 characters"));
            }
        }
    }

    /// <summary>The bounds of <c>coupons</c> (CONTRACT.md §2.1): at most 20 codes of 1–64 characters.</summary>
    public static void ValidateCoupons(IReadOnlyList<string>? coupons, List<EventValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (coupons is null)
        {
            return;
        }

        if (coupons.Count > EventBounds.MaxCoupons)
        {
            errors.Add(new("coupons", "at most 20 codes"));
            return;
        }

        for (var i = 0; i < coupons.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(coupons[i]) || EventBounds.CodePoints(coupons[i]) > EventBounds.MaxCouponLength)
            {
                errors.Add(new(string.Create(CultureInfo.InvariantCulture, $"coupons[{i}]"), "must be 1–64 characters"));
            }
        }
    }

    /// <summary>The bounds of <c>memberRef</c> (CONTRACT.md §1): a known <c>type</c> and a <c>value</c> of 1–128 characters.</summary>
    public static void ValidateMemberRef(string? type, string? value, List<EventValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (type is null || !EventBounds.MemberRefTypes.Contains(type))
        {
            errors.Add(new("memberRef.type", "must be phone, unionId, openId or card"));
        }

        if (string.IsNullOrWhiteSpace(value) || EventBounds.CodePoints(value) > EventBounds.MaxMemberRefValueLength)
        {
            errors.Add(new("memberRef.value", "must be 1–128 characters"));
        }
    }

    private static void AtMost(string field, string? value, int max, List<EventValidationError> errors)
    {
        if (value is not null && EventBounds.CodePoints(value) > max)
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture, $"at most {max} characters")));
        }
    }
}
