using System.Globalization;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// What a member keeps to contribute distinct counts exactly (CONTRACT.md §5): which of its last 448 local days it
/// was active, logged in, browsed, added to cart, purchased (and purchased twice), shared, programme-wide and in each
/// of its <see cref="MaxTrackedRegions"/> most recent regions; its joining and first purchase days. About 200 bytes
/// of JSON for a member seen over less than 128 days; a region stores only its own days (its bitmaps that are set),
/// about 120 bytes for a region of a few days' logins (measured), about 600 for each of 4 regions a member rotates
/// through daily for 360 days, and about 30 (no bitmaps) for the only region of a member that forgot nothing; at most
/// about 1.2 KB per scope (the programme and each region) for one active across the whole window
/// (<see cref="DayBits"/> stores its older words only when set).
/// </summary>
public sealed record MemberMetricState
{
    public DayBits Active { get; init; } = DayBits.Empty;

    public DayBits Login { get; init; } = DayBits.Empty;

    public DayBits Browse { get; init; } = DayBits.Empty;

    public DayBits Cart { get; init; } = DayBits.Empty;

    public DayBits Purchase { get; init; } = DayBits.Empty;

    /// <summary>Days with at least two purchases.</summary>
    public DayBits Repurchase { get; init; } = DayBits.Empty;

    public DayBits Share { get; init; } = DayBits.Empty;

    /// <summary>
    /// The most regions whose days a member keeps (<see cref="Regions"/>): the 4 it was most recently active in. Past
    /// them the least recent is dropped, and its days until then count as already counted should the member come back
    /// there (<see cref="ForgottenThrough"/>).
    /// </summary>
    public const int MaxTrackedRegions = 4;

    /// <summary>
    /// The member's own activity days per region (CONTRACT.md §5 distinct counts per region, <see cref="DistinctCounts"/>;
    /// none stored for the only region of a member that forgot nothing, <see cref="RegionActivity.SameAsProgramme"/>),
    /// the region of its latest activity first, at most <see cref="MaxTrackedRegions"/>; the days above
    /// (<see cref="Active"/>, ...) are the programme-wide ones. Null in states stored before regions were kept.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RegionActivity>? Regions { get; init; }

    /// <summary>
    /// The latest local day (<see cref="DateOnly.DayNumber"/>) whose activity the member can no longer place in a
    /// region, 0 when none: all its days when its state was stored before <see cref="Regions"/> existed (those versions
    /// counted each day in one region only, the event's), and the days of a region dropped past
    /// <see cref="MaxTrackedRegions"/>. Every region reads the member's programme-wide days up to it as already counted
    /// there (added when read, not stored in its entry), so no region counts the member twice.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ForgottenThrough { get; init; }

    /// <summary>
    /// The first local day (<see cref="DateOnly.DayNumber"/>) of the calendar periods the member counts in
    /// (<see cref="PeriodCounts"/>): a period starting before it counts none of the member's purchases, nor retracts any.
    /// 1 (every period) for a member first seen by a version that keeps the period counts; for a state stored before them
    /// (0 when read) the day after its latest purchase day then, so the periods holding purchases that made no period
    /// count are left out for that member instead of counted wrong: its periods in progress at the deploy read partial.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PeriodsFrom { get; init; }

    /// <summary>The local day the member joined, once known.</summary>
    public DateOnly? JoinedDay { get => _joinedDay; init => _joinedDay = value; }

    /// <summary>
    /// The region <see cref="JoinedDay"/>'s newMembers counted in: its cohort's retention is credited there, wherever the
    /// member is active the next day. Null in states stored before it was kept (then the region of the outcome).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? JoinedRegion { get => _joinedRegion; init => _joinedRegion = value; }

    /// <summary>The local day of the member's first purchase, once known.</summary>
    public DateOnly? FirstPurchaseDay { get => _firstPurchaseDay; init => _firstPurchaseDay = value; }

    /// <summary>
    /// The region <see cref="FirstPurchaseDay"/>'s firstPurchasers counted in: repurchased7d is credited there, wherever
    /// the member buys again. Null in states stored before it was kept (then the region of the outcome).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FirstPurchaseRegion { get => _firstPurchaseRegion; init => _firstPurchaseRegion = value; }

    /// <summary>Whether the member already counted in <see cref="MetricNames.Repurchased7d"/> of its first purchase's day.</summary>
    public bool Repurchased7dCounted { get => _repurchased7dCounted; init => _repurchased7dCounted = value; }

    /// <summary>
    /// Whether the member's debt (a negative points balance) is in <see cref="GaugeNames.PointsDebt"/>: true once any
    /// outcome was derived by a version that keeps that gauge. False in states stored before it (a missing field reads
    /// false): such a member's debt never entered the gauge, so its next outcome adds the whole debt it has then,
    /// instead of only the change, and a later repayment takes out only what went in.
    /// </summary>
    public bool DebtCounted { get => _debtCounted; init => _debtCounted = value; }

    /// <summary>
    /// The sequence number of the member's latest outcome that contributed (0 before the first): each contributing
    /// outcome takes the next, so the aggregators can drop repeats by a per-member high-water mark
    /// (<see cref="AggregatorShard"/>) instead of remembering every contribution id.
    /// </summary>
    public long Sequence { get => _sequence; init => _sequence = value; }

    /// <summary>The segments the member last added to the gauges (<c>GET /segments</c>); null before its first contribution.</summary>
    public MemberSegments? Segments { get => _segments; init => _segments = value; }

    /// <summary>A member that has contributed nothing yet.</summary>
    public static MemberMetricState Empty { get; } = new();

    private bool _debtCounted;
    private long _sequence;
    private MemberSegments? _segments;
    private DateOnly? _joinedDay;
    private string? _joinedRegion;
    private DateOnly? _firstPurchaseDay;
    private string? _firstPurchaseRegion;
    private bool _repurchased7dCounted;

    /// <summary>
    /// Sets what every outcome moves (<see cref="DebtCounted"/>, <see cref="Sequence"/>, <see cref="Segments"/>) on a copy
    /// the current derivation made itself and nothing else holds yet (<see cref="MemberMetrics"/>): one copy per outcome
    /// instead of a second one for these three.
    /// </summary>
    internal void SetOutcome(bool debtCounted, long sequence, MemberSegments? segments)
    {
        _debtCounted = debtCounted;
        _sequence = sequence;
        _segments = segments;
    }

    /// <summary>Sets <see cref="JoinedDay"/> and <see cref="JoinedRegion"/> on a copy the current derivation made itself, as <see cref="SetOutcome"/>.</summary>
    internal void SetJoined(DateOnly day, string region)
    {
        _joinedDay = day;
        _joinedRegion = region;
    }

    /// <summary>Sets the first purchase's cohort (<see cref="FirstPurchaseDay"/>, <see cref="FirstPurchaseRegion"/>, <see cref="Repurchased7dCounted"/>) on a copy the current derivation made itself, as <see cref="SetOutcome"/>.</summary>
    internal void SetFirstPurchase(DateOnly? day, string? region, bool repurchased7dCounted)
    {
        _firstPurchaseDay = day;
        _firstPurchaseRegion = region;
        _repurchased7dCounted = repurchased7dCounted;
    }
}

/// <summary>
/// Counter deltas for one aggregator grain (one region × local day × shard, or one region × shard of gauges), from
/// one member outcome. Applied at most once by its <see cref="Id"/>.
/// </summary>
/// <remarks>
/// In the member's stored outbox, <see cref="Shard"/>, <see cref="IsGauge"/> and <see cref="Revenue"/> are left out of
/// the JSON when they hold their default (0, false, 0 CNY): a contribution waits in every state write until its
/// aggregator confirms it. Any version reads a missing one as that same default, so states written either way load alike.
/// </remarks>
public sealed record MetricContribution
{
    /// <summary>Deterministic: member, outcome, target, region and day (<see cref="IdOf"/>); the same outcome replayed gives the same id.</summary>
    public required string Id { get; init; }

    public required string RegionId { get; init; }

    /// <summary>The local day the counters belong to (for gauges: the outcome's day, informative).</summary>
    public required DateOnly Day { get; init; }

    /// <summary>The contributing member; null on contributions made before per-member sequences (deduplicated by <see cref="Id"/>).</summary>
    public string? MemberId { get; init; }

    /// <summary>
    /// The member's outcome sequence (<see cref="MemberMetricState.Sequence"/>, from 1); 0 when unknown (then deduplicated
    /// by <see cref="Id"/>). A member's outbox emits every pending contribution in this order, so an aggregator that
    /// applied sequence n of a member has applied every earlier one addressed to it.
    /// </summary>
    public long Sequence { get; init; }

    /// <summary>The aggregator shard (a stable hash of the member id modulo <see cref="MetricsOptions.Shards"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Shard { get; init; }

    /// <summary>True for gauge deltas (<see cref="GaugeNames"/>), false for day counters (<see cref="MetricNames"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsGauge { get; init; }

    /// <summary>Counter name → signed delta; no zero entries.</summary>
    public required IReadOnlyDictionary<string, long> Counters { get; init; }

    /// <summary>Net revenue delta, CNY (day counters only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public decimal Revenue { get; init; }

    /// <summary>
    /// The id of the contribution of member <paramref name="memberId"/>'s outcome <paramref name="outcomeId"/> to one
    /// target: <c>{memberId}|{outcomeId}|{d or g}|{region}|{yyyyMMdd}</c> (<c>g</c> for gauges).
    /// </summary>
    public static string IdOf(string memberId, string outcomeId, bool gauge, string region, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{memberId}|{outcomeId}|{(gauge ? "g" : "d")}|{region}|{day:yyyyMMdd}");

    /// <summary>True when <see cref="Id"/> and <see cref="MemberId"/> are exactly what <see cref="IdOf"/> gives for this contribution of <paramref name="memberId"/>'s outcome <paramref name="outcomeId"/>. Allocates nothing.</summary>
    public bool HasIdOf(string memberId, string outcomeId)
    {
        if (!string.Equals(MemberId, memberId, StringComparison.Ordinal))
        {
            return false;
        }

        var id = Id.AsSpan();
        if (!(Next(ref id, memberId) && Next(ref id, outcomeId) && Next(ref id, IsGauge ? "g" : "d") && Next(ref id, RegionId)) || id.Length != 8)
        {
            return false;
        }

        // The day as yyyyMMdd, compared digit by digit without formatting it.
        var digits = (Day.Year * 10_000) + (Day.Month * 100) + Day.Day;
        for (var i = 7; i >= 0; i--, digits /= 10)
        {
            if (id[i] != (char)('0' + (digits % 10)))
            {
                return false;
            }
        }

        return true;

        static bool Next(ref ReadOnlySpan<char> rest, ReadOnlySpan<char> part)
        {
            if (rest.Length <= part.Length || !rest.StartsWith(part, StringComparison.Ordinal) || rest[part.Length] != '|')
            {
                return false;
            }

            rest = rest[(part.Length + 1)..];
            return true;
        }
    }
}
