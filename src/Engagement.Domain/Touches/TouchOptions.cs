namespace Engagement.Domain.Touches;

/// <summary>Touch caps, quiet hours and channels (CONTRACT.md §2), under <c>Engagement:Program:Touches</c>.</summary>
/// <remarks>
/// "A day" for the daily caps is the member's local calendar day (in the member's time zone);
/// "7 days" and "a week" are rolling windows of 7 × 24 hours ending at the decision instant.
/// Only sent touches count. Configuration adds to the default dictionaries and lists; set a channel's
/// value to 0 or less to lift its cap.
/// </remarks>
public sealed class TouchOptions
{
    /// <summary>Marketing touches per member per local day, all channels together. Default 1.</summary>
    public int MarketingPerDay { get; set; } = 1;

    /// <summary>Marketing touches per member per rolling 7 days, all channels together. Default 3.</summary>
    public int MarketingPer7Days { get; set; } = 3;

    /// <summary>Per-channel cap per local day. Default <c>sms</c> 1, <c>push</c> 2.</summary>
    public Dictionary<string, int> ChannelPerDay { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sms"] = 1,
        ["push"] = 2,
    };

    /// <summary>Per-channel cap per rolling 7 days. Default <c>call</c> 1.</summary>
    public Dictionary<string, int> ChannelPerWeek { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["call"] = 1,
    };

    /// <summary>Start of quiet hours, member's local time. Default 21:00.</summary>
    public TimeOnly QuietHoursStart { get; set; } = new(21, 0);

    /// <summary>End of quiet hours (the first allowed moment), member's local time. Default 09:00. Equal to the start: no quiet hours.</summary>
    public TimeOnly QuietHoursEnd { get; set; } = new(9, 0);

    /// <summary>
    /// IANA zone for quiet hours and "day" when the member has none (or an unknown one). Default null: the
    /// programme's <c>Engagement:Program:DefaultTimeZone</c> (Asia/Shanghai), so caps and growth share one "day".
    /// </summary>
    public string? DefaultTimeZone { get; set; }

    /// <summary>
    /// Decisions kept in the member's touch history, and the newest beside them while this many deferred touches wait
    /// (a touch finding them all waiting is suppressed, and its decision kept). Default 100.
    /// </summary>
    public int MaxRecordedDecisions { get; set; } = 100;

    /// <summary>
    /// Days a sent touch stays in the member state: the caps need 7, the rest lets a retried decision of the same
    /// touch id find it (a win-back episode lasts 31). Unpublished touches stay until published. Default 35.
    /// </summary>
    public int KeepSentDays { get; set; } = 35;

    /// <summary>Upper bound on kept sent touches (published ones older than 7 days go first). Default 100.</summary>
    public int MaxSentRecords { get; set; } = 100;

    /// <summary>Touch kinds that are service, not marketing: they bypass the marketing caps, never opt-out.</summary>
    public List<string> ServiceKinds { get; set; } = [TouchKinds.PointsExpiryNotice, TouchKinds.RedemptionConfirmation];

    /// <summary>
    /// Service touches wait for the end of quiet hours too (a points-expiry notice decided at 02:00 goes at 09:00).
    /// Default true.
    /// </summary>
    public bool ServiceRespectsQuietHours { get; set; } = true;

    /// <summary>
    /// Whether quiet hours hold back a touch of <paramref name="category"/> (<see cref="TouchCategories"/>): every touch
    /// that is not service (marketing, or a category the engine does not know), and service ones while
    /// <see cref="ServiceRespectsQuietHours"/>. The one rule the caps (a touch waiting out quiet hours) and a stock hold's
    /// last look (<see cref="TouchHold.RetryWithin"/>) both read.
    /// </summary>
    public bool QuietHoursBind(string? category) =>
        !string.Equals(category, TouchCategories.Service, StringComparison.Ordinal) || ServiceRespectsQuietHours;

    /// <summary>
    /// Service touches are neither limited nor counted by the per-channel caps (a redemption confirmation must not
    /// wait a day because a promotion SMS went out). Default true; false makes channel caps count and limit them.
    /// </summary>
    public bool ServiceBypassesChannelCaps { get; set; } = true;

    /// <summary>Channel for service notices the engine raises itself (points expiry). Default <c>sms</c>.</summary>
    public string NoticeChannel { get; set; } = "sms";

    /// <summary>Used when the member opted out of <see cref="NoticeChannel"/>. Default <c>push</c>.</summary>
    public string? NoticeFallbackChannel { get; set; } = "push";

    /// <summary>
    /// Code of the held benefit that earns a birthday touch (CONTRACT.md §2: V2 and up hold
    /// <c>birthday-coupon</c>). Empty: no birthday touches. Default <c>birthday-coupon</c>.
    /// </summary>
    public string BirthdayBenefitCode { get; set; } = "birthday-coupon";

    /// <summary>Channel of the birthday benefit touch (a marketing touch). Default <c>push</c>.</summary>
    public string BirthdayChannel { get; set; } = "push";

    /// <summary>Used when the member opted out of <see cref="BirthdayChannel"/>. Default <c>sms</c>.</summary>
    public string? BirthdayFallbackChannel { get; set; } = "sms";

    /// <summary>
    /// Local days from the birthday during which its touch may still go (the caps may hold it back); also how late
    /// a member may reach a birthday tier and still get this year's touch. Default 7.
    /// </summary>
    public int BirthdayWindowDays { get; set; } = 7;

    /// <summary>Returns one message per broken rule; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MarketingPerDay < 0)
        {
            errors.Add($"Touches:MarketingPerDay must be >= 0 (was {MarketingPerDay}).");
        }

        if (MarketingPer7Days < 0)
        {
            errors.Add($"Touches:MarketingPer7Days must be >= 0 (was {MarketingPer7Days}).");
        }

        if (MaxRecordedDecisions < 1)
        {
            errors.Add($"Touches:MaxRecordedDecisions must be >= 1 (was {MaxRecordedDecisions}).");
        }

        if (KeepSentDays < 7)
        {
            errors.Add($"Touches:KeepSentDays must be >= 7, the caps count 7 days back (was {KeepSentDays}).");
        }

        if (MaxSentRecords < 1)
        {
            errors.Add($"Touches:MaxSentRecords must be >= 1 (was {MaxSentRecords}).");
        }

        if (DefaultTimeZone is not null && MemberClock.TryFindZone(DefaultTimeZone) is null)
        {
            errors.Add($"Touches:DefaultTimeZone '{DefaultTimeZone}' is not a known time zone.");
        }

        if (BirthdayWindowDays < 1)
        {
            errors.Add($"Touches:BirthdayWindowDays must be >= 1 (was {BirthdayWindowDays}).");
        }

        if (string.IsNullOrWhiteSpace(NoticeChannel) || string.IsNullOrWhiteSpace(BirthdayChannel))
        {
            errors.Add("Touches:NoticeChannel and Touches:BirthdayChannel are required.");
        }

        if (ChannelPerDay is null || ChannelPerWeek is null || ServiceKinds is null)
        {
            errors.Add("Touches:ChannelPerDay, ChannelPerWeek and ServiceKinds must not be null.");
        }

        return errors;
    }
}
