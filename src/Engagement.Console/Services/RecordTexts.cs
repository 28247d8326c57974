using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// What the engine recorded in English, for people, worded in the viewer's language: a ledger entry's reason from its
/// rule id and the numbers of its stored reason (CONTRACT.md §4, ledger), an audit row's action and detail from the
/// action id (CONTRACT.md §4, <c>GET /audit</c>). The stored text stays as it is (the API and the archive keep it);
/// what a person typed (an adjustment's reason) is carried over as typed, never translated. A text the console
/// does not know the shape of, or a language without a wording (English), shows as stored.
/// </summary>
public static partial class RecordTexts
{
    // As CatalogueRedemptions gives a redemption's points back; staff cannot use the prefix (SupportServices).
    private static readonly string RedemptionUndoEventPrefix = Engagement.Domain.Points.AdjustmentPolicy.EventIdOf(Engagement.Domain.Points.AdjustmentPolicy.RedemptionUndoPrefix);

    /// <summary>The reason of a ledger entry written by <paramref name="ruleId"/>, worded from <paramref name="reason"/>'s numbers; <paramref name="reason"/> itself when none applies.</summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="ruleId">The entry's rule, e.g. <c>points.earn</c>, <c>growth.share</c>.</param>
    /// <param name="reason">The stored English reason, e.g. <c>purchase O-1 of 1000.00 CNY at V1 ×1.0</c>.</param>
    /// <param name="time">Shows an instant in the viewer's zone (an expiry's).</param>
    /// <param name="eventId">The entry's event id: it tells the engine's own give-back of a redemption from a staff adjustment.</param>
    /// <returns>The worded reason, in every language with each control character shown as its visible symbol (the U+001F
    /// in an undo's extra lot id <c>adjustment|redemption-undo\u001F2:R-1</c> as <c>␟</c>; <see cref="LotTexts.Visible"/>).</returns>
    public static string LedgerReason(IStringLocalizer<RecordStrings> text, string ruleId, string reason, Func<DateTimeOffset, string> time, string? eventId = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(time);
        return LotTexts.Visible(Worded(text, ruleId, reason, time, eventId));
    }

    private static string Worded(IStringLocalizer<RecordStrings> text, string ruleId, string reason, Func<DateTimeOffset, string> time, string? eventId)
    {
        Match m;
        if (IsRedemptionUndo(ruleId, eventId) && !string.IsNullOrEmpty(reason) && (m = RedemptionUndo().Match(reason)).Success
            && !text["Ledger_RedemptionUndo"].ResourceNotFound)
        {
            // Written by the engine as an adjustment, but no one adjusted anything: it is worded in English too.
            // The lots the points went back to (RedemptionUndo) follow, worded part by part (LotTexts; in English as stored), then
            // the later redemptions it moved onto sooner lots, if any, worded move by move (LotTexts.Moves; in English as stored).
            return text["Ledger_RedemptionUndo", m.Groups["delta"].Value, m.Groups["id"].Value, m.Groups["reward"].Value, m.Groups["store"].Value]
                + Lots(text, "Ledger_RedemptionUndoLots", m, time)
                + (m.Groups["moved"].Success ? text["Ledger_RedemptionUndoMoved", LotTexts.Moves(text, m.Groups["moved"].Value, time)].Value : "");
        }

        if (string.IsNullOrEmpty(reason) || text["Ledger_Purchase"].ResourceNotFound)
        {
            return reason ?? "";
        }

        return ruleId switch
        {
            "points.earn" or "points.earn.first-purchase-double" when (m = Earn().Match(reason)).Success =>
                text["Ledger_Earn", m.Groups["order"].Value, Money(text, m.Groups["money"].Value), m.Groups["tier"].Value, m.Groups["mult"].Value]
                + (m.Groups["first"].Success ? text["Ledger_EarnFirst", m.Groups["first"].Value].Value : ""),
            "growth.purchase" when (m = Purchase().Match(reason)).Success =>
                text["Ledger_Purchase", m.Groups["order"].Value, Money(text, m.Groups["money"].Value)],
            "points.refund" or "growth.refund" when (m = Refund().Match(reason)).Success =>
                text["Ledger_Refund", m.Groups["order"].Value, Money(text, m.Groups["total"].Value), Money(text, m.Groups["money"].Value)],
            "points.expire" when (m = Expiry().Match(reason)).Success
                && DateTimeOffset.TryParse(m.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) =>
                text["Ledger_Expiry", m.Groups["n"].Value, m.Groups["order"].Value, time(at)],
            "points.adjustment" when (m = AdjustmentTaken().Match(reason)).Success =>
                text["Ledger_Adjustment", m.Groups["delta"].Value] + m.Groups["why"].Value + Lots(text, "Ledger_TakenLots", m, time),
            "points.adjustment" or "growth.adjustment" when (m = Adjustment().Match(reason)).Success =>
                text["Ledger_Adjustment", m.Groups["delta"].Value] + m.Groups["why"].Value,
            "points.redeem" when (m = Redemption().Match(reason)).Success =>
                text["Ledger_Redemption", m.Groups["id"].Value, m.Groups["points"].Value, m.Groups["value"].Value]
                + (m.Groups["cash"].Success ? text["Ledger_RedemptionCash", m.Groups["cash"].Value].Value : "")
                + (m.Groups["reward"].Success ? text["Ledger_RedemptionReward", m.Groups["reward"].Value].Value : "")
                + (m.Groups["store"].Success ? text["Ledger_RedemptionStore", m.Groups["store"].Value].Value : "")
                + Lots(text, "Ledger_TakenLots", m, time),
            "tier.upgrade" when (m = Upgrade().Match(reason)).Success =>
                text["Ledger_Upgrade", m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["growth"].Value, m.Groups["threshold"].Value],
            "tier.downgrade.refund" when (m = DowngradeRefund().Match(reason)).Success =>
                m.Groups["at"].Success && DateTimeOffset.TryParse(m.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var refunded)
                    ? text["Ledger_DowngradeLateRefund", m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["order"].Value, time(refunded), m.Groups["growth"].Value, m.Groups["threshold"].Value]
                    : text["Ledger_DowngradeRefund", m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["order"].Value, m.Groups["growth"].Value, m.Groups["threshold"].Value],
            "tier.downgrade.grace" when (m = DowngradeGrace().Match(reason)).Success
                && DateTimeOffset.TryParse(m.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var graceFrom) =>
                text["Ledger_DowngradeGrace", m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["growth"].Value, m.Groups["threshold"].Value, m.Groups["days"].Value, time(graceFrom)],
            "points.earn.correction" when (m = EarnCorrection().Match(reason)).Success
                && DateTimeOffset.TryParse(m.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var occurred) =>
                text["Ledger_EarnCorrection", m.Groups["order"].Value, m.Groups["points"].Value, m.Groups["tier"].Value, m.Groups["mult"].Value,
                    m.Groups["first"].Success ? text["Ledger_EarnFirst", m.Groups["first"].Value].Value : "", m.Groups["was"].Value,
                    m.Groups["event"].Value, CauseText(text, m.Groups["what"].Value), time(occurred)],
            _ when ruleId.StartsWith("growth.", StringComparison.Ordinal) && ruleId.EndsWith(".correction", StringComparison.Ordinal)
                && (m = BehaviourCorrection().Match(reason)).Success =>
                text["Ledger_BehaviourCorrection", Of(text, "Behaviour_", m.Groups["type"].Value), m.Groups["displaced"].Value, m.Groups["day"].Value,
                    m.Groups["cap"].Value, m.Groups["late"].Value],
            _ when ruleId.StartsWith("growth.", StringComparison.Ordinal) && (m = Behaviour().Match(reason)).Success
                && ruleId == "growth." + m.Groups["type"].Value =>
                text["Ledger_Behaviour", Of(text, "Behaviour_", m.Groups["type"].Value), m.Groups["day"].Value, m.Groups["n"].Value, m.Groups["cap"].Value],
            _ => reason,
        };
    }

    /// <summary>
    /// Whether a ledger entry is the engine's give-back of a catalogue redemption's points after its reward unit was lost
    /// (adjustment id <c>redemption-undo:{redemptionId}</c>), not a staff adjustment, though it is recorded as one.
    /// </summary>
    public static bool IsRedemptionUndo(string ruleId, string? eventId) =>
        ruleId == "points.adjustment" && eventId is not null && eventId.StartsWith(RedemptionUndoEventPrefix, StringComparison.Ordinal);

    /// <summary>The key of a ledger entry's rule name in the console's texts (<c>Rule_{ruleId}</c>, or the redemption give-back's own).</summary>
    public static string LedgerRuleKey(string ruleId, string? eventId) =>
        IsRedemptionUndo(ruleId, eventId) ? "Rule_points.redemption-undo" : "Rule_" + ruleId;

    /// <summary>
    /// A ledger entry's rule named in the viewer's language: its own <c>Rule_{ruleId}</c> text (<see cref="LedgerRuleKey"/>);
    /// else, for a correction (<c>{rule}.correction</c>, CONTRACT.md §1.1), the corrected rule's name marked as corrected;
    /// else, for the growth of a behaviour configured under <c>Engagement:Program:BehaviourGrowth</c> without a text of its
    /// own (<c>growth.{type}</c>), a generic name with the behaviour's. Null when none applies: the page shows the id.
    /// </summary>
    /// <param name="rules">The console's texts (<c>Rule_*</c>) in the viewer's culture.</param>
    /// <param name="records">The record wordings (<c>Behaviour_*</c>) in the viewer's culture.</param>
    /// <param name="ruleId">The stored rule id, e.g. <c>growth.login.correction</c>.</param>
    /// <param name="eventId">The entry's event id (tells the engine's redemption give-back from a staff adjustment).</param>
    public static string? RuleName(IStringLocalizer<Strings> rules, IStringLocalizer<RecordStrings> records, string ruleId, string? eventId)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(ruleId);
        if (rules[LedgerRuleKey(ruleId, eventId)] is { ResourceNotFound: false } own)
        {
            return own.Value;
        }

        const string correction = ".correction", growth = "growth.";
        if (ruleId.EndsWith(correction, StringComparison.Ordinal) && RuleName(rules, records, ruleId[..^correction.Length], null) is { } corrected)
        {
            return rules["Rule_Correction", corrected].Value;
        }

        return ruleId.StartsWith(growth, StringComparison.Ordinal) && ruleId.Length > growth.Length && !ruleId.AsSpan(growth.Length).Contains('.')
            ? rules["Rule_Behaviour", Of(records, "Behaviour_", ruleId[growth.Length..])].Value
            : null;
    }

    /// <summary>An audit action id (<c>member.adjustment</c>) named in the viewer's language; the id when there is no name.</summary>
    public static string AuditAction(IStringLocalizer<RecordStrings> text, string action) => Of(text, "AuditAction_", action);

    /// <summary>
    /// An audit row's detail worded from <paramref name="action"/> and the stored <paramref name="detail"/>'s values;
    /// <paramref name="detail"/> itself when none applies.
    /// </summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="action">The action id, e.g. <c>member.adjustment</c>.</param>
    /// <param name="detail">The stored detail, e.g. <c>points +100</c>.</param>
    /// <param name="status">Names a campaign status code (<c>paused</c>) in the viewer's language.</param>
    /// <param name="time">Shows an instant in the viewer's zone: every ISO 8601 instant in the detail (stored in UTC with up to
    /// seven decimals, <c>2026-12-05T06:17:27.4053937+00:00</c>) is shown through it, in every language; none when null.</param>
    public static string AuditDetail(IStringLocalizer<RecordStrings> text, string action, string detail, Func<string, string> status, Func<DateTimeOffset, string>? time = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(status);
        var worded = string.IsNullOrEmpty(detail) || text["Ledger_Purchase"].ResourceNotFound ? detail ?? "" : WordedDetail(text, action, detail, status);
        return time is null ? worded : Instant().Replace(worded, m =>
            DateTimeOffset.TryParse(m.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? time(at) : m.Value);
    }

    private static string WordedDetail(IStringLocalizer<RecordStrings> text, string action, string detail, Func<string, string> status)
    {
        Match m;
        return action switch
        {
            "member.adjustment" when (m = AuditAdjustment().Match(detail)).Success =>
                text["Audit_Adjustment", Of(text, "Amount_", m.Groups["kind"].Value), m.Groups["delta"].Value],
            "member.coupon_reissue" when (m = AuditReissue().Match(detail)).Success =>
                text["Audit_Reissue", m.Groups["old"].Value, m.Groups["new"].Value],
            "member.consent" when detail.StartsWith("consent ", StringComparison.Ordinal) =>
                text["Audit_Consent", ConsentChanges(text, detail["consent ".Length..])],
            "campaign.pause" or "campaign.resume" when (m = AuditPause().Match(detail)).Success =>
                text["Audit_Pause", m.Groups["pause"].Value, status(m.Groups["status"].Value), m.Groups["reached"].Value, m.Groups["total"].Value],
            "programme.point-value" when (m = AuditPointValue().Match(detail)).Success =>
                text["Audit_PointValue", m.Groups["value"].Value, m.Groups["from"].Value == "now" ? text["Audit_Now"].Value : m.Groups["from"].Value],
            _ => detail,
        };
    }

    // "call default→no, push yes→no": each changed channel's consent as it was and became (MemberDecider.SetConsent),
    // or "sms →no (recorded by a retry)" (MemberConsents); channel and value words in the viewer's language, a change of
    // another shape as stored.
    private static string ConsentChanges(IStringLocalizer<RecordStrings> text, string changes)
    {
        const string Retry = " (recorded by a retry)";
        var retried = changes.EndsWith(Retry, StringComparison.Ordinal);
        var worded = string.Join(text["Audit_ConsentSeparator"].Value, (retried ? changes[..^Retry.Length] : changes).Split(", ").Select(change =>
            ConsentChange().Match(change) is { Success: true } m
                ? text["Audit_ConsentChange", Of(text, "Channel_", m.Groups["channel"].Value), m.Groups["was"].Success ? Of(text, "Consent_", m.Groups["was"].Value) : "", Of(text, "Consent_", m.Groups["is"].Value)].Value
                : change));
        return retried ? worded + text["Audit_ConsentRetry"].Value : worded;
    }

    /// <summary>
    /// A touch decision's reason (CONTRACT.md §4, touches) worded clause by clause (<c>quiet hours 22:00–08:00
    /// Asia/Shanghai; marketing cap 1/day reached</c>); a clause of an unknown shape stays as stored.
    /// </summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="reason">The stored reason.</param>
    public static string TouchReason(IStringLocalizer<RecordStrings> text, string reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(reason) || text["Ledger_Purchase"].ResourceNotFound)
        {
            return reason ?? "";
        }

        return string.Join(text["Touch_Separator"].Value, reason.Split("; ").Select(clause => TouchClause(text, clause)));
    }

    private static string TouchClause(IStringLocalizer<RecordStrings> text, string clause)
    {
        var attempt = Attempt().Match(clause);
        var core = attempt.Success ? attempt.Groups["clause"].Value : clause;
        Match m;
        string worded = core switch
        {
            "within caps and outside quiet hours" => text["Touch_WithinCaps"],
            "service touch, marketing caps do not apply" => text["Touch_Service"],
            _ when (m = OfferExpired().Match(core)).Success => text["Touch_OfferExpired", m.Groups["at"].Value],
            _ when (m = OptedOut().Match(core)).Success => text["Touch_OptedOut", m.Groups["channel"].Value],
            _ when (m = QuietHours().Match(core)).Success => text["Touch_QuietHours", m.Groups["hours"].Value],
            _ when (m = MarketingCap().Match(core)).Success => text[m.Groups["per"].Value == "/day" ? "Touch_MarketingDay" : "Touch_MarketingWeek", m.Groups["n"].Value],
            _ when (m = ChannelCap().Match(core)).Success =>
                text[m.Groups["per"].Value == "day" ? "Touch_ChannelDay" : "Touch_ChannelWeek", m.Groups["channel"].Value, m.Groups["n"].Value],
            _ when (m = NextAllowed().Match(core)).Success => text["Touch_NextAllowed", m.Groups["at"].Value, m.Groups["until"].Value],
            _ => core,
        };
        return attempt.Success ? worded + text["Touch_Attempt", attempt.Groups["n"].Value].Value : worded;
    }

    // What a late event was: "purchase O1 of 680.00 CNY", "refund of 80.00 CNY on order O1 (680.00 CNY)" or a behaviour type.
    private static string CauseText(IStringLocalizer<RecordStrings> text, string what)
    {
        Match m;
        return what switch
        {
            _ when (m = Purchase().Match(what)).Success => text["Ledger_Purchase", m.Groups["order"].Value, Money(text, m.Groups["money"].Value)],
            _ when (m = Refund().Match(what)).Success =>
                text["Ledger_Refund", m.Groups["order"].Value, Money(text, m.Groups["total"].Value), Money(text, m.Groups["money"].Value)],
            _ => Of(text, "Behaviour_", what),
        };
    }

    // "100 USD at 7.1 = 710.00 CNY": a foreign amount, its rate and the programme's amount.
    private static string Money(IStringLocalizer<RecordStrings> text, string money) =>
        Foreign().Match(money) is { Success: true } f ? text["Ledger_Foreign", f.Groups["foreign"].Value, f.Groups["rate"].Value, f.Groups["programme"].Value] : money;

    // The lots a reason names (its "lots" group, when it has one) after the wording of key: "; points taken from lots: …".
    private static string Lots(IStringLocalizer<RecordStrings> text, string key, Match m, Func<DateTimeOffset, string> time) =>
        m.Groups["lots"].Success ? text[key, LotTexts.Word(text, m.Groups["lots"].Value, time)].Value : "";

    private static string Of(IStringLocalizer<RecordStrings> text, string prefix, string code) =>
        text[prefix + code] is { ResourceNotFound: false } found ? found.Value : code;

    [GeneratedRegex(@"^purchase (?<order>\S+) of (?<money>.+?) at (?<tier>\S+) ×(?<mult>[0-9.]+)(?:, first purchase ×(?<first>[0-9.]+))?$")]
    private static partial Regex Earn();

    [GeneratedRegex(@"^purchase (?<order>\S+) earns (?<points>\d+) points at (?<tier>\S+) ×(?<mult>[0-9.]+)(?:, first purchase ×(?<first>[0-9.]+))? \(was (?<was>\d+)\): late event (?<event>\S+), (?<what>.+) that occurred (?<at>\S+)$")]
    private static partial Regex EarnCorrection();

    [GeneratedRegex(@"^(?<type>[a-z_]+) (?<displaced>\S+) is past the daily cap of (?<cap>\d+) on (?<day>\S+): late [a-z_]+ (?<late>\S+) occurred earlier that day$")]
    private static partial Regex BehaviourCorrection();

    [GeneratedRegex(@"^purchase (?<order>\S+) of (?<money>.+)$")]
    private static partial Regex Purchase();

    [GeneratedRegex(@"^refund of (?<money>.+) on order (?<order>\S+) \((?<total>.+)\)$")]
    private static partial Regex Refund();

    [GeneratedRegex(@"^(?<n>\d+) points of purchase (?<order>\S+) expired at (?<at>\S+)$")]
    private static partial Regex Expiry();

    [GeneratedRegex(@"^manual adjustment (?<delta>[+-]?\d+): (?<why>.*)$", RegexOptions.Singleline)]
    private static partial Regex Adjustment();

    // A negative points adjustment names the lots it took from after the typed reason (the last such suffix: a typed one stays typed).
    [GeneratedRegex(@"^manual adjustment (?<delta>-\d+): (?<why>.*)" + Engagement.Domain.Points.LotNames.TakenPrefix + "(?<lots>.+)$", RegexOptions.Singleline)]
    private static partial Regex AdjustmentTaken();

    // The later redemptions the undo moved onto sooner lots (LotNames.MovedPrefix) may follow its lots (LotTexts.Moves).
    [GeneratedRegex(@"^manual adjustment \+(?<delta>\d+): redemption (?<id>\S+) undone: .*? \((?<reward>\S+) at (?<store>\S+)\)(?:; points back to their lots: (?<lots>.+?))?"
        + "(?:" + Engagement.Domain.Points.LotNames.MovedPrefix + "(?<moved>.+))?$", RegexOptions.Singleline)]
    private static partial Regex RedemptionUndo();

    // Since spends name their lots (LotNames.TakenPrefix), the entry may end with them; entries written before do not.
    [GeneratedRegex(@"^redemption (?<id>\S+) of (?<points>\d+) points \((?<value>[0-9.]+ [A-Z]{3})\)(?: \+ (?<cash>[0-9.]+ [A-Z]{3}) cash)?(?: for reward (?<reward>\S+))?(?: at store (?<store>\S+))?"
        + "(?:" + Engagement.Domain.Points.LotNames.TakenPrefix + "(?<lots>.+))?$", RegexOptions.Singleline)]
    private static partial Regex Redemption();

    [GeneratedRegex(@"^(?<from>\S+) → (?<to>\S+): trailing growth (?<growth>\d+) reached (?<threshold>\d+)$")]
    private static partial Regex Upgrade();

    // TierPolicy's refund downgrade; a late refund names when it occurred (TierPolicy.LateEvents).
    [GeneratedRegex(@"^(?<from>\S+) → (?<to>\S+): refund on order (?<order>\S+)(?: at (?<at>\S+) \(a late event\))? left trailing growth (?<growth>-?\d+) below (?<threshold>\d+)$")]
    private static partial Regex DowngradeRefund();

    // TierPolicy's downgrade at the end of a grace.
    [GeneratedRegex(@"^(?<from>\S+) → (?<to>\S+): trailing growth (?<growth>-?\d+) below (?<threshold>\d+) through the (?<days>\d+)-day grace from (?<at>\S+)$")]
    private static partial Regex DowngradeGrace();

    [GeneratedRegex(@"^(?<type>[a-z_]+) (?<n>\d+) of (?<cap>\d+) on (?<day>\S+)$")]
    private static partial Regex Behaviour();

    [GeneratedRegex(@"^(?<foreign>\S+ [A-Z]{3}) at (?<rate>\S+) = (?<programme>\S+ [A-Z]{3})$")]
    private static partial Regex Foreign();

    [GeneratedRegex(@"^(?<clause>.+) \(attempt (?<n>\d+)\)$")]
    private static partial Regex Attempt();

    [GeneratedRegex(@"^offer expired at (?<at>.+)$")]
    private static partial Regex OfferExpired();

    [GeneratedRegex(@"^channel (?<channel>\S+) opted out$")]
    private static partial Regex OptedOut();

    [GeneratedRegex(@"^quiet hours (?<hours>.+)$")]
    private static partial Regex QuietHours();

    [GeneratedRegex(@"^marketing cap (?<n>\d+)(?<per>/day| per 7 days) reached$")]
    private static partial Regex MarketingCap();

    [GeneratedRegex(@"^channel (?<channel>\S+) cap (?<n>\d+)/(?<per>day|week) reached$")]
    private static partial Regex ChannelCap();

    [GeneratedRegex(@"^next allowed (?<at>.+), after the offer ends (?<until>.+)$")]
    private static partial Regex NextAllowed();

    [GeneratedRegex(@"^(?<kind>points|growth) (?<delta>[+-]?\d+)$")]
    private static partial Regex AuditAdjustment();

    [GeneratedRegex(@"^coupon (?<old>\S+) → (?<new>\S+)$")]
    private static partial Regex AuditReissue();

    [GeneratedRegex(@"^(?<channel>[a-z]+) (?<was>yes|no|default)?→(?<is>yes|no|default)$")]
    private static partial Regex ConsentChange();

    [GeneratedRegex(@"^pause (?<pause>\d+): (?<status>\w*), (?<reached>\d+) of (?<total>\S+) reached$")]
    private static partial Regex AuditPause();

    // An instant as the engine stores it in a detail: ISO 8601 with an offset or Z, seconds and fraction optional.
    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})")]
    private static partial Regex Instant();

    [GeneratedRegex(@"^(?<value>\S+) CNY per point from (?<from>\S+)$")]
    private static partial Regex AuditPointValue();
}
