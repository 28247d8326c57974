using System.Globalization;
using Engagement.Domain.Members;

namespace Engagement.Domain.Offers;

/// <summary>
/// What a coupon offer gives (win-back L1 gift, a campaign arm, a tier or birthday benefit): the coupon each grant of it
/// issues. Amounts are CNY with at most 2 decimals.
/// </summary>
public sealed record CouponTemplate
{
    /// <summary>Largest <see cref="Value"/> or <see cref="MinSpend"/>, in CNY.</summary>
    public const decimal MaxAmount = 100_000m;

    /// <summary>Longest validity, in days.</summary>
    public const int MaxValidDays = 366;

    /// <summary>Most entries in each scope list.</summary>
    public const int MaxScopeEntries = 200;

    public string OfferId { get; init; } = "";

    /// <summary>A <see cref="CouponKinds"/> value.</summary>
    public string Kind { get; init; } = CouponKinds.NoThreshold;

    /// <summary>CNY off (no_threshold, threshold), percent off 1–99 (percent), 0 (gift).</summary>
    public decimal Value { get; init; }

    /// <summary>Smallest order (CNY); required (&gt; <see cref="Value"/>) for <c>threshold</c>.</summary>
    public decimal MinSpend { get; init; }

    /// <summary>What a gift gives, e.g. "trial pack"; required for <c>gift</c>.</summary>
    public string? Gift { get; init; }

    /// <summary>
    /// Whole days after the day of issue the coupon stays valid (1–366): it expires at the start of local day
    /// issue date + ValidDays + 1 in the member's time zone, so "valid 14 days" gives 14 full days after the day of issue.
    /// </summary>
    public int ValidDays { get; init; } = 14;

    public CouponScope Scope { get; init; } = new();

    /// <summary>What is wrong with this template, as (field, message); empty when it is valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (!CouponKinds.All.Contains(Kind))
        {
            errors.Add(("kind", "must be no_threshold, threshold, percent or gift"));
            return errors;
        }

        switch (Kind)
        {
            case CouponKinds.NoThreshold or CouponKinds.Threshold when Value <= 0 || Value > MaxAmount || decimal.Round(Value, 2) != Value:
                errors.Add(("value", $"must be CNY > 0 and ≤ {MaxAmount} with at most 2 decimals"));
                break;
            case CouponKinds.Percent when Value is < 1 or > 99 || decimal.Round(Value, 0) != Value:
                errors.Add(("value", "must be a whole percent from 1 to 99"));
                break;
            case CouponKinds.Gift when Value != 0:
                errors.Add(("value", "must be 0 for a gift coupon"));
                break;
        }

        if (MinSpend < 0 || MinSpend > MaxAmount || decimal.Round(MinSpend, 2) != MinSpend)
        {
            errors.Add(("minSpend", $"must be CNY 0–{MaxAmount} with at most 2 decimals"));
        }
        else if (Kind == CouponKinds.Threshold && MinSpend <= Value)
        {
            errors.Add(("minSpend", "must be greater than value for a threshold coupon"));
        }

        if (Kind == CouponKinds.Gift && string.IsNullOrWhiteSpace(Gift))
        {
            errors.Add(("gift", "required for a gift coupon: what it gives, e.g. \"trial pack\""));
        }

        if (Gift is { Length: > 200 })
        {
            errors.Add(("gift", "at most 200 characters"));
        }

        if (ValidDays is < 1 or > MaxValidDays)
        {
            errors.Add(("validDays", $"must be 1–{MaxValidDays}"));
        }

        foreach (var (name, list) in new[] { ("regions", Scope.Regions), ("stores", Scope.Stores), ("skus", Scope.Skus), ("categories", Scope.Categories) })
        {
            // Regions keep the one region id rule (RegionIds: code points, as an event's regionId); the other ids their 64.
            if (list.Count > MaxScopeEntries || list.Any(v => name == "regions" ? !RegionIds.IsValid(v) : string.IsNullOrWhiteSpace(v) || v.Length > 64))
            {
                errors.Add(("scope." + name, name == "regions"
                    ? $"at most {MaxScopeEntries} entries, each {RegionIds.Rule}"
                    : $"at most {MaxScopeEntries} entries of 1–64 characters"));
            }
        }

        return errors;
    }

    /// <summary>
    /// The coupon grant <paramref name="grantId"/> of this offer issues to <paramref name="memberId"/> at
    /// <paramref name="now"/>: always the same code and window for the same member, grant and issue instant.
    /// </summary>
    public Coupon Issue(string memberId, string grantId, DateTimeOffset now, TimeZoneInfo zone, CouponCodes codes)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(codes);
        var until = ExpiryOf(now, ValidDays, zone);
        return new Coupon
        {
            Code = codes.CodeFor(memberId, grantId),
            GrantId = grantId,
            OfferId = OfferId,
            Kind = Kind,
            Value = Value,
            MinSpend = MinSpend,
            Gift = Gift,
            Scope = Scope,
            IssuedAt = now,
            ValidFrom = now,
            ValidUntil = until,
            Status = CouponStatuses.Issued,
            StatusReason = string.Create(CultureInfo.InvariantCulture, $"issued by grant {grantId}, valid until {until:yyyy-MM-dd HH:mm zzz}"),
            StatusAt = now,
        };
    }

    /// <summary>The exact instant a coupon issued at <paramref name="issuedAt"/> and valid <paramref name="validDays"/> days expires in <paramref name="zone"/>.</summary>
    public static DateTimeOffset ExpiryOf(DateTimeOffset issuedAt, int validDays, TimeZoneInfo zone)
    {
        var issueDay = MemberTimeZones.LocalDate(issuedAt, zone);
        return MemberTimeZones.StartOfDay(issueDay.AddDays(validDays + 1), zone);
    }
}
