using System.Globalization;
using System.Text.Json;

namespace Engagement.Domain.Metrics;

/// <summary>Episode logic: raise once per episode, resolve on recovery, queue each change once. Pure.</summary>
public static class AlertBook
{
    /// <summary>
    /// The most UTF-8 bytes of JSON the resolved history takes in the stored book: 256 KiB (262,144 bytes), about half
    /// of the 480 KiB grain-state bound (<c>Engagement:Storage:MaxGrainStateBytes</c>), and less when open alerts, the
    /// outbox and the episode numbers need the room (<see cref="AlertBookBounds.BookMaxBytes"/>: the oldest resolved give
    /// way first). The count limit alone did not bound it: a resolved <c>data.anomaly</c> keeps two texts of up to 500
    /// characters each, so 500 such alerts measured about 3 MB (JSON that escaped a CJK character to 6 bytes), every
    /// write of the book was refused and alerts stopped. Counted by <see cref="StoredBytes"/> (System.Text.Json web
    /// defaults, which still escape a CJK character to 6 bytes), while the state row stores it as one character
    /// (<c>StoredStateText.Encoder</c>): the bound is stricter for Chinese text than the row needs (docs/console.md).
    /// </summary>
    public const int HistoryMaxBytes = 256 * 1024;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// UTF-8 bytes of <paramref name="record"/>'s JSON as the alerts grain stores it (System.Text.Json web defaults,
    /// non-ASCII escaped as <c>\uXXXX</c>).
    /// </summary>
    public static int StoredBytes(AlertRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, StoredJson).Length;

    /// <summary>
    /// Applies observations: a breached rule without an open episode opens one; an open episode whose rule no longer
    /// holds is resolved; an observation without a value (too little data to judge) leaves the episode as it is, so a
    /// rate whose denominator hovers around its minimum does not close and reopen episodes. Open episodes of the rules in
    /// <paramref name="disabled"/> are resolved, saying so. Each change joins the outbox.
    /// </summary>
    /// <param name="state">The book before.</param>
    /// <param name="observations">This evaluation's observations.</param>
    /// <param name="now">The evaluation instant, UTC.</param>
    /// <param name="historyLimit">Resolved episodes kept.</param>
    /// <param name="disabled">Rules turned off (<see cref="AlertOptions.Disabled"/>); null for none.</param>
    public static AlertBookState Apply(AlertBookState state, IEnumerable<AlertObservation> observations, DateTimeOffset now, int historyLimit, IReadOnlyCollection<string>? disabled = null) =>
        Evaluate(state, observations, now, historyLimit, disabled).State;

    /// <summary>
    /// <see cref="Apply"/>, also returning the changes the book's bounds refused (<see cref="AlertBookBounds"/>): a breach
    /// left unraised, a judgement back within its threshold (or a turned-off rule) whose alert stays open. Each is judged
    /// again at the next evaluation; one marked <see cref="AlertRefusal.Waits"/> fits once the outbox is published.
    /// Byte totals are counted once and kept as the book changes.
    /// </summary>
    public static AlertEvaluation Evaluate(AlertBookState state, IEnumerable<AlertObservation> observations, DateTimeOffset now, int historyLimit, IReadOnlyCollection<string>? disabled = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observations);
        var sizes = AlertBookSizes.Of(state);
        var refused = new List<AlertRefusal>();
        var next = state;
        foreach (var o in observations)
        {
            if (o.Breached)
            {
                next = RaiseWithin(next, sizes, refused, o.Rule, o.RegionId, o.Value, o.Threshold, o.Message, now, o.Window, o.Direction);
            }
            else if (o.Value is not null)
            {
                next = ResolveWithin(next, sizes, refused, o.Rule, o.RegionId, o.Value, now, historyLimit, null, o.Window);
            }
        }

        foreach (var open in next.Open.Values.Where(a => disabled?.Contains(a.Rule) == true).ToList())
        {
            next = ResolveWithin(next, sizes, refused, open.Rule, open.RegionId, null, now, historyLimit, "resolved: the rule was turned off (Engagement:Alerts:Disabled)", null);
        }

        return new AlertEvaluation(next with { LastEvaluatedAt = now }, refused);
    }

    /// <summary>
    /// Opens an episode for <paramref name="rule"/> in <paramref name="regionId"/> unless one is open, recording the
    /// judged <paramref name="window"/> (null for none, as for <c>data.anomaly</c>) and the <paramref name="direction"/> in
    /// which the value crossed <paramref name="threshold"/> (<see cref="AlertDirections"/>; null for none). Returns
    /// <paramref name="state"/> unchanged, nothing raised, when the book's bounds refuse it (<see cref="AlertBookBounds"/>);
    /// <see cref="Evaluate"/> reports such refusals.
    /// </summary>
    public static AlertBookState Raise(AlertBookState state, string rule, string regionId, double? value, double? threshold, string message, DateTimeOffset now, AlertWindow? window = null, string? direction = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return RaiseWithin(state, AlertBookSizes.Of(state), [], rule, regionId, value, threshold, message, now, window, direction);
    }

    private static AlertBookState RaiseWithin(AlertBookState state, AlertBookSizes sizes, List<AlertRefusal> refused, string rule, string regionId, double? value, double? threshold, string message, DateTimeOffset now, AlertWindow? window, string? direction)
    {
        var key = Key(rule, regionId);
        if (state.Open.ContainsKey(key))
        {
            return state;
        }

        var known = state.Episodes.TryGetValue(key, out var last);
        var episode = (known ? last : state.EpisodeFloor) + 1;
        var record = new AlertRecord
        {
            AlertId = string.Create(CultureInfo.InvariantCulture, $"{rule}:{regionId}:{episode}"),
            Rule = rule,
            RegionId = regionId,
            State = AlertStates.Open,
            Value = value,
            Threshold = threshold,
            RaisedAt = now,
            Message = message,
            Window = window,
            Direction = direction,
        };
        var open = sizes.Open + AlertBookBounds.OpenEntry(key, record);
        var outbox = sizes.Outbox + AlertBookBounds.Bytes(record) + 1;
        var episodes = new Dictionary<string, int>(state.Episodes, StringComparer.Ordinal) { [key] = episode };
        var episodeBytes = sizes.Episodes - (known ? AlertBookBounds.EpisodeEntry(key, last) : 0) + AlertBookBounds.EpisodeEntry(key, episode);
        var floor = state.EpisodeFloor;
        // Past their bound, the numbers of pairs with no open alert are forgotten, the floor kept above them.
        foreach (var (k, n) in state.Episodes)
        {
            if (episodeBytes <= AlertBookBounds.EpisodesMaxBytes)
            {
                break;
            }

            if (k != key && !state.Open.ContainsKey(k))
            {
                episodes.Remove(k);
                episodeBytes -= AlertBookBounds.EpisodeEntry(k, n);
                floor = Math.Max(floor, n);
            }
        }

        var limit = AlertBookBounds.BookMaxBytes - AlertBookBounds.FixedBytes - (AlertBookBounds.ProgrammeWide(rule, regionId) ? 0 : AlertBookBounds.ProgrammeReserveBytes);
        if (outbox > AlertBookBounds.OutboxRaiseMaxBytes || open + outbox + episodeBytes > limit || episodeBytes > AlertBookBounds.EpisodesMaxBytes)
        {
            // It waits when it would fit with the outbox published (the grain publishes and applies the evaluation again).
            var alone = AlertBookBounds.Bytes(record) + 1;
            refused.Add(new AlertRefusal("raise", rule, regionId, alone <= AlertBookBounds.OutboxRaiseMaxBytes && episodeBytes <= AlertBookBounds.EpisodesMaxBytes && open + alone + episodeBytes <= limit && sizes.Outbox > 0));
            return state;
        }

        (sizes.Open, sizes.Outbox, sizes.Episodes) = (open, outbox, episodeBytes);
        return state with
        {
            Open = new Dictionary<string, AlertRecord>(state.Open, StringComparer.Ordinal) { [key] = record },
            Episodes = episodes,
            EpisodeFloor = floor,
            Outbox = [.. state.Outbox, record],
            History = GiveWay(state.History, sizes),
        };
    }

    /// <summary>
    /// Resolves the open episode of <paramref name="rule"/> in <paramref name="regionId"/>, if any. A resolving
    /// <paramref name="value"/> replaces the raised one together with its <paramref name="window"/>, so the value and its
    /// days stay those of one judgement, and the message becomes the resolution (<see cref="ResolvedMessage"/>); without a
    /// value both stay as raised and the message says it was resolved, with the <paramref name="reason"/> when one is
    /// given. Whether a value resolved it is kept in <see cref="AlertRecord.ResolvedWithValue"/>, the raised sentence in
    /// <see cref="AlertRecord.RaisedMessage"/>; the queue message keeps CONTRACT.md
    /// §5's shape, its <c>message</c> the resolved text. Returns <paramref name="state"/> unchanged, the alert still open,
    /// when the change would take the book past <see cref="AlertBookBounds.ResolveMaxBytes"/> and make it larger than it
    /// was (only while the queue refuses and the outbox fills).
    /// </summary>
    public static AlertBookState Resolve(AlertBookState state, string rule, string regionId, double? value, DateTimeOffset now, int historyLimit, string? reason = null, AlertWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ResolveWithin(state, AlertBookSizes.Of(state), [], rule, regionId, value, now, historyLimit, reason, window);
    }

    private static AlertBookState ResolveWithin(AlertBookState state, AlertBookSizes sizes, List<AlertRefusal> refused, string rule, string regionId, double? value, DateTimeOffset now, int historyLimit, string? reason, AlertWindow? window)
    {
        var key = Key(rule, regionId);
        if (!state.Open.TryGetValue(key, out var open))
        {
            return state;
        }

        var resolved = open with
        {
            State = AlertStates.Resolved,
            ResolvedAt = now,
            Value = value ?? open.Value,
            Window = value is null ? open.Window : window,
            RaisedMessage = open.Message,
            ResolvedWithValue = value is not null,
            Message = value is { } v ? ResolvedMessage(open, v, window) : reason is null ? "resolved: " + open.Message : open.Message + "; " + reason,
        };
        var before = sizes.Total;
        var openBytes = sizes.Open - AlertBookBounds.OpenEntry(key, open);
        var outbox = sizes.Outbox + AlertBookBounds.Bytes(resolved) + 1;
        // The history gives way to open alerts, the outbox and the episode numbers; the newest resolved kept when it fits.
        var room = Math.Min(HistoryMaxBytes, AlertBookBounds.BookMaxBytes - AlertBookBounds.FixedBytes - openBytes - outbox - sizes.Episodes);
        var history = KeepHistory(resolved, state.History, historyLimit, room);
        var historyBytes = history.Sum(r => AlertBookBounds.Bytes(r) + 1);
        var total = openBytes + outbox + sizes.Episodes + historyBytes + AlertBookBounds.FixedBytes;
        if (total > Math.Max(AlertBookBounds.ResolveMaxBytes, before))
        {
            refused.Add(new AlertRefusal("resolve", rule, regionId, sizes.Outbox > 0));
            return state;
        }

        (sizes.Open, sizes.Outbox, sizes.History) = (openBytes, outbox, historyBytes);
        var remaining = new Dictionary<string, AlertRecord>(state.Open, StringComparer.Ordinal);
        remaining.Remove(key);
        return state with
        {
            Open = remaining,
            History = history,
            Outbox = [.. state.Outbox, resolved],
        };
    }

    /// <summary>The open episode of <paramref name="rule"/> in <paramref name="regionId"/>; null when none is open.</summary>
    public static AlertRecord? OpenOf(AlertBookState state, string rule, string regionId)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Open.GetValueOrDefault(Key(rule, regionId));
    }

    /// <summary>Drops published messages (by <see cref="AlertRecord.MessageId"/>) from the outbox.</summary>
    public static AlertBookState Published(AlertBookState state, IReadOnlyCollection<string> messageIds)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(messageIds);
        return state with { Outbox = state.Outbox.Where(r => !messageIds.Contains(r.MessageId)).ToList() };
    }

    /// <summary>
    /// The message of an episode resolved by a judgement: the rule's measure at <paramref name="value"/> (a fraction, shown
    /// as a percentage) over the resolving local days, back on the side of the resolving judgement's bound
    /// (<see cref="AlertWindow.Threshold"/>; the raised <see cref="AlertRecord.Threshold"/> when no window was recorded)
    /// the alert was raised from (its recorded <see cref="AlertRecord.Direction"/>; without one, the raised value's side
    /// of the raised bound), the points band back within the band the judgement recorded
    /// (<see cref="AlertWindow.BandLow"/>–<see cref="AlertWindow.BandHigh"/>), then when (UTC) and at what value it was
    /// raised. For example <c>resolved: complaint rate 5% over the 7 local days 2026-11-29–2026-12-05, back at or below
    /// the ceiling 6%; raised 2026-12-05 02:00 UTC at 5%</c> after the ceiling moved from 3% to 6%. Activity's value is
    /// the last judged day's measure: <c>resolved: activity 4.2% on 2026-12-05, no longer below the baseline 4% on each of
    /// the 14 local days 2026-11-22–2026-12-05; raised …</c>.
    /// </summary>
    /// <param name="open">The episode as raised.</param>
    /// <param name="value">The resolving value, a fraction.</param>
    /// <param name="window">The local days of the resolving judgement; null when none were recorded.</param>
    public static string ResolvedMessage(AlertRecord open, double value, AlertWindow? window)
    {
        ArgumentNullException.ThrowIfNull(open);
        static string Pct(double? v) => v is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{v.Value * 100:0.##}%");
        var measure = open.Rule switch
        {
            AlertRules.ActivityBelowBaseline => "activity",
            AlertRules.BenefitsRedemptionLow => "coupon redemption",
            AlertRules.ComplaintsHigh => "complaint rate",
            AlertRules.PointsRedemptionBand => "points redemption",
            AlertRules.PointsLiabilityJump => "points outstanding rise",
            _ => open.Rule,
        };
        var judged = window is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{window.Days} local days {window.From:yyyy-MM-dd}–{window.To:yyyy-MM-dd}");
        // An activity value is the measure of the last judged day, not of the run: "activity 4.2% on 2026-12-05".
        var days = window is null ? "" : open.Rule == AlertRules.ActivityBelowBaseline
            ? string.Create(CultureInfo.InvariantCulture, $" on {window.To:yyyy-MM-dd}")
            : " over the " + judged;
        // Without a recorded direction (alerts raised before it was), the raised value's side of the raised bound: a
        // points-band hoarding alert is below its floor as much as a coupon alert is.
        var below = open.Direction is { } direction ? direction == AlertDirections.Below : open.Value < open.Threshold;
        // The bound of the resolving judgement, as its value and days: after the complaint ceiling moved from 3% to 6%, a
        // rate of 5% resolves against 6%, not the 3% it was raised against. The points band resolves inside the band it
        // recorded (its window's threshold is then the high end only); a window without one keeps the raised bound.
        var bound = open.Rule == AlertRules.PointsRedemptionBand ? open.Threshold : window?.Threshold ?? open.Threshold;
        var back = open.Rule switch
        {
            AlertRules.ActivityBelowBaseline when window is not null => $"no longer below the baseline {Pct(window.Threshold ?? open.Threshold)} on each of the {judged}",
            AlertRules.ActivityBelowBaseline => $"no longer below the baseline {Pct(open.Threshold)}",
            AlertRules.PointsRedemptionBand when window is { BandLow: { } bandLow, BandHigh: { } bandHigh } => $"back within the band {Pct(bandLow)}–{Pct(bandHigh)}",
            _ => below ? $"back at or above the floor {Pct(bound)}" : $"back at or below the ceiling {Pct(bound)}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"resolved: {measure} {Pct(value)}{days}, {back}; raised {open.RaisedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC at {Pct(open.Value)}");
    }

    /// <summary>
    /// The history after <paramref name="newest"/> resolved: it and the newest of <paramref name="older"/> while they
    /// number at most <paramref name="historyLimit"/> and their JSON (with its commas) at most
    /// <paramref name="maxBytes"/> (<see cref="HistoryMaxBytes"/>, less when open alerts need the room); the oldest
    /// resolved are dropped first, and <paramref name="newest"/> too when even it does not fit (it is in the outbox). Open
    /// alerts are never in it.
    /// </summary>
    private static List<AlertRecord> KeepHistory(AlertRecord newest, IReadOnlyList<AlertRecord> older, int historyLimit, int maxBytes)
    {
        var kept = new List<AlertRecord>();
        var bytes = 0;
        foreach (var record in older.Prepend(newest))
        {
            bytes += AlertBookBounds.Bytes(record) + 1;
            if (kept.Count >= historyLimit || bytes > maxBytes)
            {
                break;
            }

            kept.Add(record);
        }

        return kept;
    }

    /// <summary>
    /// <paramref name="history"/> with its oldest dropped until the whole book is within
    /// <see cref="AlertBookBounds.BookMaxBytes"/> (<paramref name="sizes"/>, whose history total it updates).
    /// </summary>
    private static IReadOnlyList<AlertRecord> GiveWay(IReadOnlyList<AlertRecord> history, AlertBookSizes sizes)
    {
        var kept = history.Count;
        while (kept > 0 && sizes.Total > AlertBookBounds.BookMaxBytes)
        {
            kept--;
            sizes.History -= AlertBookBounds.Bytes(history[kept]) + 1;
        }

        return kept == history.Count ? history : history.Take(kept).ToList();
    }

    private static string Key(string rule, string regionId) => rule + "|" + regionId;
}
