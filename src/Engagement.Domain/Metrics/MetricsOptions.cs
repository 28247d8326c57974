using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Programme metrics settings (<c>Engagement:Metrics</c>): the local day of each region (CONTRACT.md §5: Asia/Shanghai
/// unless the region says otherwise) and the aggregator sharding.
/// </summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Engagement:Metrics";

    /// <summary>The region a member without one counts under.</summary>
    public const string DefaultRegion = "default";

    /// <summary>
    /// The bucket that counts members of regions past <c>ProgrammeRegionsGrain.MaxRegions</c> (256): their figures are
    /// not lost, the programme totals still add up, and the bucket is listed and queryable like a region.
    /// </summary>
    public const string OtherRegion = "_other";

    /// <summary>Longest region id kept; longer ones are cut (a region is a grain key).</summary>
    public const int MaxRegionLength = 32;

    /// <summary>
    /// Aggregator shards per region and day (1–64, default 8): more shards, less contention per grain, more grains to read,
    /// and at ordinary rates more table transactions (each commit carries fewer outcomes). May grow on a running
    /// programme (readers sum shards 0 to <c>Shards − 1</c>; a member's sequence keeps its contributions counted once) but
    /// never shrink: the rows of the shards cut off would no longer be read.
    /// </summary>
    public int Shards { get; set; } = 8;

    /// <summary>
    /// How long a silo collects contributions for one aggregator before it calls it, milliseconds (0–5,000, default 50):
    /// one call and one commit then carry every member that contributed meanwhile. Members do not wait for it (their
    /// contributions go in the background), so it costs only that much freshness of the numbers. The silo's
    /// <c>appsettings.json</c> sets 1,000: on table storage each commit is a table transaction, and at 50 ms a
    /// moderately busy silo committed about 1.3 per event on top of the member's own write (bench
    /// <c>ingest-durable</c>, 2026-12-03: 2.65 → 1.54 table write requests per event, throughput 84 → 112 events/s).
    /// </summary>
    public int SendLingerMilliseconds { get; set; } = 50;

    /// <summary>
    /// The longest <see cref="SendLingerMilliseconds"/> (5,000 ms): half of the 10 s a stopping silo waits for what its
    /// members queued (<c>MetricContributionHandler.FlushTimeout</c>), so the flush at a stop still gets its send out.
    /// </summary>
    public const int MaxSendLingerMilliseconds = 5_000;

    /// <summary>IANA zone of the programme's local day (default Asia/Shanghai).</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>
    /// Per-region zone overrides: region id → IANA zone. A key is read as the region it names
    /// (<see cref="RegionOf"/>): <c>East</c> configures region <c>east</c>, the one an event's <c>"regionId": "East"</c> counts under.
    /// </summary>
    public Dictionary<string, string> RegionTimeZones { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long an aggregator remembers the ids of contributions without a member sequence (made before sequences
    /// existed) after applying them, days (1–60, default 7). A member's sequence mark is kept for good, whatever this
    /// says: a member re-sends a confirmed contribution at its next activation, which may come a month later.
    /// </summary>
    public int DedupeDays { get; set; } = 7;

    /// <summary>Share of members in value class A, by monetary rank (CONTRACT.md §2; default 0.15, the top 15%).</summary>
    public double ValueClassAShare { get; set; } = 0.15;

    /// <summary>Share of members in value class B, the next ones (default 0.35).</summary>
    public double ValueClassBShare { get; set; } = 0.35;

    /// <summary>Hours after which value-class thresholds are recomputed (1–24, default 24: at least daily).</summary>
    public int ValueClassRefreshHours { get; set; } = 24;

    /// <summary>
    /// The first local day (in the programme's and its regions' zones) from which the calendar-period distinct counts
    /// (<see cref="PeriodCounts"/>) hold every purchase. A health range's summary gives <c>arpu</c> and
    /// <c>repurchaseRate</c> on a calendar basis (<see cref="HealthDay.DistinctBasis"/> <c>isoWeek</c>, <c>month</c>,
    /// <c>quarter</c>, <c>year</c>) only for a range starting on or after it, else null with the reason
    /// <c>beforePeriodCounts</c> (<see cref="HealthDay.DistinctNullReason"/>; CONTRACT.md §5 <c>arpu</c>).
    /// Default <see cref="DefaultPeriodCountsSince"/> (2026-12-06): safe for an install upgraded on 2026-12-05, when these
    /// counters came: a member stored by an older build counts only in periods starting after its last purchase then, so a
    /// period holding such purchases reads fewer distinct purchasers for good, and a null figure is better than a wrong
    /// one labelled exact. An install upgraded later from an older build must set the day after its last old-build silo
    /// stopped, taken in the zone furthest ahead (the day after that if it stopped within 5 minutes of a midnight: an
    /// event may be stamped that far ahead); a later day is always safe, only less often exact. A fresh install, whose
    /// counters hold every purchase from its first day (history imported as late events included), sets 2000-01-01 (the
    /// earliest accepted; <c>scripts/run</c>'s demo does); until it does, an earlier range says <c>beforePeriodCounts</c>.
    /// </summary>
    public DateOnly PeriodCountsSince { get; set; } = DefaultPeriodCountsSince;

    /// <summary>The default <see cref="PeriodCountsSince"/>: 2026-12-06, the day after these counters came (2026-12-05); never earlier, or an upgraded install's short periods read as exact.</summary>
    public static readonly DateOnly DefaultPeriodCountsSince = new(2026, 12, 6);

    /// <summary>The earliest <see cref="PeriodCountsSince"/> accepted, 2000-01-01: an earlier one is a typo (<c>0026-12-06</c>) that would label an upgraded install's short periods exact.</summary>
    public static readonly DateOnly EarliestPeriodCountsSince = new(2000, 1, 1);

    /// <summary>Configuration errors, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Shards is < 1 or > 64)
        {
            errors.Add("Shards must be 1–64.");
        }

        if (SendLingerMilliseconds is < 0 or > MaxSendLingerMilliseconds)
        {
            errors.Add("SendLingerMilliseconds must be 0–5000.");
        }

        if (DedupeDays is < 1 or > 60)
        {
            errors.Add("DedupeDays must be 1–60.");
        }

        if (ValueClassAShare is <= 0 or >= 1 || ValueClassBShare is <= 0 or >= 1 || ValueClassAShare + ValueClassBShare >= 1 || ValueClassRefreshHours is < 1 or > 24)
        {
            errors.Add("ValueClassAShare and ValueClassBShare must be fractions with a sum below 1; ValueClassRefreshHours 1–24.");
        }

        if (PeriodCountsSince < EarliestPeriodCountsSince)
        {
            errors.Add($"PeriodCountsSince {PeriodCountsSince:yyyy-MM-dd} must be 2000-01-01 or later (the day after the last silo of a build before 2026-12-05 stopped).");
        }

        if (MemberTimeZones.TryFind(TimeZone) is null)
        {
            errors.Add($"TimeZone '{TimeZone}' is not a known IANA zone.");
        }

        errors.AddRange(RegionTimeZones.Where(kv => MemberTimeZones.TryFind(kv.Value) is null).Select(kv => $"RegionTimeZones:{kv.Key} '{kv.Value}' is not a known IANA zone."));

        // "all" counts under the default region (RegionOf), so its zone would silently become the default region's.
        errors.AddRange(RegionTimeZones.Keys.Where(key => string.Equals(key.Trim(), AlertRules.AllRegions, StringComparison.OrdinalIgnoreCase))
            .Select(key => $"RegionTimeZones:{key}: 'all' is the whole programme, not a region (a region named so counts under '{DefaultRegion}')."));
        return errors;
    }

    /// <summary>
    /// The region a member counts under: its own (trimmed, lower case, at most <see cref="MaxRegionLength"/> of
    /// <c>a–z 0–9 - _</c>), else <see cref="DefaultRegion"/>. A region id that comes out as <c>all</c>
    /// (<see cref="AlertRules.AllRegions"/>, e.g. a producer's <c>ALL</c>) counts under <see cref="DefaultRegion"/> too:
    /// <c>all</c> is the region id of programme-wide alerts on the wire and of the programme rows of a CSV export
    /// (CONTRACT.md §5), and a region of that name shared the programme's alert episodes, so each evaluation opened and
    /// resolved them in turn.
    /// </summary>
    public static string RegionOf(string? regionId)
    {
        if (string.IsNullOrWhiteSpace(regionId))
        {
            return DefaultRegion;
        }

        if (IsNormalized(regionId))
        {
            return regionId; // already what the cleaning below would make of it: no copy (called for every outcome)
        }

        var cleaned = new string(regionId.Trim().ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_').Take(MaxRegionLength).ToArray());
        return cleaned.Length == 0 || cleaned == AlertRules.AllRegions ? DefaultRegion : cleaned;
    }

    /// <summary>
    /// Whether <paramref name="regionId"/> is its own <see cref="RegionOf"/>: 1 to <see cref="MaxRegionLength"/> of
    /// <c>a–z 0–9 - _</c> (nothing to trim, lower or drop), and not <c>all</c>.
    /// </summary>
    private static bool IsNormalized(string regionId)
    {
        if (regionId.Length > MaxRegionLength || string.Equals(regionId, AlertRules.AllRegions, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in regionId)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <see cref="RegionOf"/> loses something of <paramref name="regionId"/> beyond trimming and lower case:
    /// characters outside <c>a–z 0–9 - _</c> dropped (<c>a b/c</c> → <c>abc</c>, <c>East.Zone:1</c> → <c>eastzone1</c>),
    /// a cut at <see cref="MaxRegionLength"/>, or <see cref="DefaultRegion"/> in place of a region named with none of
    /// those characters, or named <c>all</c>. Any character outside ASCII is a rewrite, even one that lower-cases into
    /// the kept set (the Kelvin sign <c>U+212A</c> becomes <c>k</c>, so <c>\u212A1</c> would merge with <c>k1</c>
    /// unnoticed); an ASCII upper-case letter is only a change of case, not a rewrite (docs/programme-health.md). Two
    /// such ids can count as one region; the engine warns once per distinct id (never refuses the event). A blank id (no
    /// region) is not a rewrite. Called for every applied event, so it allocates nothing: an id that is not plain
    /// (at most <see cref="MaxRegionLength"/> of ASCII <c>a–z A–Z 0–9 - _</c> once trimmed) always loses something.
    /// </summary>
    public static bool IsRewritten(string? regionId)
    {
        if (string.IsNullOrWhiteSpace(regionId))
        {
            return false;
        }

        var id = regionId.AsSpan().Trim();
        var plain = id.Length <= MaxRegionLength;
        foreach (var c in id)
        {
            if (!char.IsAscii(c))
            {
                return true;
            }

            plain &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        // Not plain: a character is dropped or the id is cut. Plain: kept as is (in lower case) unless it is "all".
        return !plain || id.Equals(AlertRules.AllRegions, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The local day of <paramref name="at"/> in <paramref name="regionId"/>'s zone.</summary>
    public DateOnly LocalDay(DateTimeOffset at, string regionId) =>
        MemberTimeZones.LocalDate(at, ZoneOf(regionId));

    /// <summary>
    /// The whole programme's local day of <paramref name="at"/> for judging complete days (CONTRACT.md §5: the cohort
    /// figures <c>nextDayRetention</c> and <c>repurchase7d</c>, the days the alert rules judge): the earliest of the local
    /// days in <see cref="TimeZone"/> and in every zone of <see cref="RegionTimeZones"/>, so each day before it is over
    /// in every configured region. In the programme's zone alone, a region in America/Los_Angeles was still on a day
    /// the programme took as complete (16 hours of it at Asia/Shanghai).
    /// </summary>
    public DateOnly ProgrammeDay(DateTimeOffset at) => LocalDays(at).Min();

    /// <summary>
    /// The latest of the local days of <paramref name="at"/> in <see cref="TimeZone"/> and in every zone of
    /// <see cref="RegionTimeZones"/>: the last day a member can have joined on by then. The days after
    /// <see cref="ProgrammeDay"/> up to it hold the members the live gauge has but that day did not.
    /// </summary>
    public DateOnly LatestDay(DateTimeOffset at) => LocalDays(at).Max();

    /// <summary>
    /// The current local day of <paramref name="at"/> for a region's figures, or the whole programme's (null), CONTRACT.md
    /// §5: the first day that is not complete (the cohort figures and the alert rules take the days before it; a range
    /// ends by default on the <see cref="TimeZone"/>'s day). A region's is its own <see cref="LocalDay"/>; the programme's is
    /// <see cref="ProgrammeDay"/>, the latest day every configured zone has reached, so each region has figures on it.
    /// </summary>
    public DateOnly CurrentDay(DateTimeOffset at, string? regionId) => regionId is null ? ProgrammeDay(at) : LocalDay(at, regionId);

    /// <summary>
    /// The latest local day of <paramref name="at"/> that a region's figures, or the whole programme's (null), can have:
    /// "today" for a range (its <c>to</c> may not be later, CONTRACT.md §5) and the day the live gauges stand at (the
    /// members joined after a day are worked back up to it). A region's is its own <see cref="LocalDay"/>; the programme's
    /// is <see cref="LatestDay(DateTimeOffset)"/>, since a region in a zone ahead (Pacific/Auckland beside Asia/Shanghai)
    /// already has members and activity on it.
    /// </summary>
    public DateOnly LatestDay(DateTimeOffset at, string? regionId) => regionId is null ? LatestDay(at) : LocalDay(at, regionId);

    /// <summary>
    /// The local day of <paramref name="at"/> in each zone a region's figures (its own zone), or the whole programme's
    /// (null: <see cref="TimeZone"/> and every zone of <see cref="RegionTimeZones"/>), are counted in: one entry per zone
    /// (IANA id), the latest day first, then by zone id. These are the part-days a range ending today holds (CONTRACT.md §5):
    /// at 2026-12-05 03:00 UTC, with a region in America/New_York beside Asia/Shanghai, 2026-12-05 in Asia/Shanghai and
    /// 2026-12-04 in America/New_York, so "today so far" is not one date for the whole programme.
    /// </summary>
    public IReadOnlyList<ZoneDay> LocalDaysByZone(DateTimeOffset at, string? regionId)
    {
        var zones = regionId is null
            ? RegionTimeZones.Values.Select(zone => MemberTimeZones.Resolve(zone, TimeZone)).Prepend(ZoneOf(""))
            : [ZoneOf(regionId)];
        return [.. zones.DistinctBy(zone => zone.Id, StringComparer.Ordinal)
            .Select(zone => new ZoneDay(MemberTimeZones.LocalDate(at, zone), zone.Id))
            .OrderByDescending(d => d.Day)
            .ThenBy(d => d.ZoneId, StringComparer.Ordinal)];
    }

    private IEnumerable<DateOnly> LocalDays(DateTimeOffset at) =>
        RegionTimeZones.Values.Select(zone => MemberTimeZones.LocalDate(at, MemberTimeZones.Resolve(zone, TimeZone))).Prepend(LocalDay(at, ""));

    /// <summary>The region's zone: its override (keys compared as regions, <see cref="RegionOf"/>), else <see cref="TimeZone"/>, else UTC.</summary>
    public TimeZoneInfo ZoneOf(string regionId) =>
        MemberTimeZones.Resolve(RegionTimeZones.GetValueOrDefault(regionId) ?? OverrideOf(regionId), TimeZone);

    private string? OverrideOf(string regionId)
    {
        if (string.IsNullOrEmpty(regionId))
        {
            return null;
        }

        foreach (var (key, zone) in RegionTimeZones)
        {
            if (string.Equals(RegionOf(key), regionId, StringComparison.Ordinal))
            {
                return zone;
            }
        }

        return null;
    }

    /// <summary>The aggregator shard of a member: FNV-1a of its id modulo <see cref="Shards"/>.</summary>
    public int ShardOf(string memberId) => (int)(StableHash.Fnv1a32(memberId) % (uint)Shards);
}
