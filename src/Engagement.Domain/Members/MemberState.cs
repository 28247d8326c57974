using System.Text.Json.Serialization;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Members;

/// <summary>
/// Everything the engine keeps live about one member. Plain properties so System.Text.Json
/// round-trips it (grain storage writes it as readable JSON); its collections are set once (init) and changed in place,
/// so a rule never swaps one out from under another (or from under <see cref="GrowthTotals"/>). Bounded by design: every list has
/// a cap in <see cref="Program.ProgramOptions"/>; full history is in the ledger archive.
/// </summary>
public sealed class MemberState : IJsonOnDeserialized
{
    private DateTimeOffset? _tierSince;
    private DateTimeOffset? _tierGraceStartedAt;

    public string MemberId { get; set; } = "";

    /// <summary>Lifecycle stage and win-back progress (Domain/Lifecycle).</summary>
    public LifecycleState Lifecycle { get; set; } = new();

    /// <summary>Recent touch decisions and the counters the caps read (Domain/Touches).</summary>
    public TouchState Touches { get; set; } = new();

    /// <summary>Campaign memberships and conversions (Domain/Campaigns).</summary>
    public CampaignMemberState Campaigns { get; set; } = new();

    /// <summary>Occurrence time of the first applied event; null means the member has never been seen.</summary>
    public DateTimeOffset? FirstSeenAt { get; set; }

    /// <summary>From the register event, else the first event seen.</summary>
    public DateTimeOffset? RegisteredAt { get; set; }

    /// <summary>True once a register event set <see cref="RegisteredAt"/> (a later one does not move it).</summary>
    public bool HasRegistered { get; set; }

    /// <summary>Latest occurredAt of any event that counts as activity (all but complaint).</summary>
    public DateTimeOffset? LastActivityAt { get; set; }

    /// <summary>The region of the member's latest event that named one (CONTRACT.md §1.1: a late event does not move it back).</summary>
    public string? RegionId { get; set; }

    /// <summary>
    /// When the event that set <see cref="RegionId"/> occurred (UTC); null in states stored before it was kept, where
    /// <see cref="LastActivityAt"/> stands in for it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RegionAt { get; set; }

    /// <summary>IANA id the member chose; null means the programme default.</summary>
    public string? TimeZone { get; set; }

    /// <summary>
    /// The member's recent time zone changes, oldest first (<see cref="MemberTimeZones.ZoneAt"/>): at most
    /// <see cref="MemberTimeZones.ChangesKept"/>, none older than the behaviour caps kept need; null when there is none
    /// (then not stored). States stored before it was kept read as no change: the zone of now.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<TimeZoneChange>? TimeZoneChanges { get; set; }

    public DateOnly? Birthday { get; set; }

    public string? Phone { get; set; }

    /// <summary>Channel consent (sms, push, call, wechat): true allowed, false opted out.</summary>
    public Dictionary<string, bool> Consent { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// When each profile value was last set (UTC): <c>birthday</c>, <c>timeZone</c>, <c>phone</c> and
    /// <c>consent.{channel}</c>, from the occurredAt of the event that set it, or the instant staff set a consent. A
    /// late event older than the value's stamp does not overwrite it (CONTRACT.md §1.1). At most 3 fields and
    /// <see cref="ProfilePolicy.MaxConsentChannels"/> channels; null before any was stamped.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, DateTimeOffset>? ProfileAt { get; set; }

    /// <summary>When staff last changed <see cref="Consent"/> (<see cref="MemberDecider.SetConsent(MemberState, IReadOnlyDictionary{string, bool}, DateTimeOffset, ConsentActor)"/>), or null.</summary>
    /// <remarks>Left out of the JSON while null: most members are never changed by staff, and state stays small.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ConsentChangedAt { get; set; }

    /// <summary>Who made the change of <see cref="ConsentChangedAt"/>, or null (none, or a change stored before it was kept).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConsentActor? ConsentChangedBy { get; set; }

    /// <summary>What the change of <see cref="ConsentChangedAt"/> did, each changed channel as it was and became: <c>sms default→no, push yes→no</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ConsentChange { get; set; }

    public List<string> Tags { get; init; } = [];

    /// <summary>Events per behaviour type (browse, add_to_cart, share, review, complaint, login, purchase, refund).</summary>
    public Dictionary<string, long> Behaviour { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Tier name; null until the first event places the member in the lowest tier.</summary>
    public string? Tier { get; set; }

    /// <summary>
    /// When the member entered <see cref="Tier"/>, in event time (CONTRACT.md §1.1): for an upgrade by an event, the
    /// occurredAt of the event with which trailing growth reached the tier; for a tick's move, the tick's instant (a
    /// grace drop: the grace's end). Null while the member is in the tier it was placed in on first sight: it has held
    /// it since <see cref="FirstSeenAt"/>, which a late event may still move earlier. Always a UTC instant (offset zero): the
    /// setter converts, so an event's local offset (+08:00) or a member-local midnight is never stored, whichever rule moved
    /// the tier (a state stored with an offset reads back as the same instant in UTC).
    /// </summary>
    public DateTimeOffset? TierSince
    {
        get => _tierSince;
        set => _tierSince = value?.ToUniversalTime();
    }

    /// <summary>
    /// When the engine first saw trailing growth below the current tier's threshold (in event time: a member-local midnight
    /// where the window fell short, or an event's instant); the grace runs from here. Stored as a UTC instant, as
    /// <see cref="TierSince"/> is: the setter converts, so a member-local midnight (+08:00) is never stored, whichever rule
    /// started the grace (a state stored with an offset reads back as the same instant in UTC). A grace drop's reason text
    /// names it in the member's time zone, as before.
    /// </summary>
    public DateTimeOffset? TierGraceStartedAt
    {
        get => _tierGraceStartedAt;
        set => _tierGraceStartedAt = value?.ToUniversalTime();
    }

    public List<GrantedBenefit> Benefits { get; init; } = [];

    /// <summary>
    /// What the latest run of grace drops took away (<see cref="Tiers.TierGraceDrop"/>), so a late event that kept the tier
    /// in event time can undo the drops exactly; null when there is none to undo (no grace drop since the last other tier
    /// move), and then not stored. States stored before it was kept read as nothing saved: their drops are not undone.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Tiers.TierGraceDrop? TierGraceDrop { get; set; }

    /// <summary>
    /// Points owed after a refund reversed more than the member had; paid first from lots added later, each paying only
    /// debt that arose before it expired (<see cref="PointsDebtBook"/>). The total: <see cref="PointsDebtPieces"/> date it.
    /// </summary>
    public long PointsDebt { get; set; }

    /// <summary>
    /// When the <see cref="PointsDebt"/> arose, oldest first, at most <see cref="PointsDebtBook.MaxPieces"/> (see
    /// <see cref="PointsDebtBook"/>); debt they do not account for (a state stored before they were kept) is payable by
    /// any lot. Stored as <c>pointsDebtPieces</c>, left out while empty (no debt, or only such undated debt).
    /// </summary>
    [JsonIgnore]
    public List<DebtPiece> PointsDebtPieces { get; } = [];

    /// <summary>How <see cref="PointsDebtPieces"/> is stored: omitted while empty (most members).</summary>
    [JsonPropertyName("pointsDebtPieces")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<DebtPiece>? StoredPointsDebtPieces
    {
        get => PointsDebtPieces.Count == 0 ? null : PointsDebtPieces;
        set
        {
            // Copied first: assigning the list to itself (state.StoredPointsDebtPieces = state.StoredPointsDebtPieces) must not empty it.
            List<DebtPiece> pieces = [.. value ?? []];
            PointsDebtPieces.Clear();
            PointsDebtPieces.AddRange(pieces);
        }
    }

    /// <summary>Retained purchases with their points lots, oldest first.</summary>
    public List<OrderRecord> Orders { get; init; } = [];

    /// <summary>
    /// Orders the count cap (<see cref="Program.ProgramOptions.MaxOrders"/>) took out of <see cref="Orders"/> before the end of
    /// their retention (<see cref="Program.ProgramOptions.OrderRetentionDays"/>), lot spent, kept as compact summaries so a
    /// re-sent purchase or refund is still a duplicate and a later refund still applies (CONTRACT.md §1, §2); oldest first,
    /// at most <see cref="Program.ProgramOptions.MaxOrderSummaries"/> (see <see cref="OrderBook"/>). Stored as
    /// <c>orderSummaries</c>, left out while empty; state stored before it existed reads as none.
    /// </summary>
    [JsonIgnore]
    public List<OrderSummary> OrderSummaries { get; } = [];

    /// <summary>How <see cref="OrderSummaries"/> is stored: omitted while empty (most members).</summary>
    [JsonPropertyName("orderSummaries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<OrderSummary>? StoredOrderSummaries
    {
        get => OrderSummaries.Count == 0 ? null : OrderSummaries;
        set
        {
            OrderSummaries.Clear();
            OrderSummaries.AddRange(value ?? []);
        }
    }

    /// <summary>
    /// Order summaries dropped by <see cref="Program.ProgramOptions.MaxOrderSummaries"/> before the end of their retention,
    /// ever (a member past both caps: its oldest orders' duplicates and refunds are no longer recognised); 0 for nearly
    /// every member, and then not stored.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long OrderSummariesDropped { get; set; }

    /// <summary>Growth not tied to a retained order (behaviour, orders since forgotten), by member-local date.</summary>
    public Dictionary<DateOnly, long> GrowthByDay { get; init; } = [];

    /// <summary>Capped behaviours that earned growth in the last few local days, with their instants (CONTRACT.md §1.1).</summary>
    public List<Growth.BehaviourRecord> BehaviourRecords { get; init; } = [];

    /// <summary>Trailing growth kept as a running total over the three sources above (<see cref="Growth.GrowthTotals"/>); in memory only, never stored.</summary>
    [JsonIgnore]
    public Growth.GrowthTotals GrowthTotals { get; } = new();

    /// <summary>Legacy: counts of capped behaviours per local date and type from before <see cref="BehaviourRecords"/>; pruned after a few days.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<DateOnly, Dictionary<string, int>>? CappedActionsByDay { get; set; }

    /// <summary>occurredAt of the member's earliest purchase (kept after its order is forgotten).</summary>
    public DateTimeOffset? FirstPurchaseAt { get; set; }

    /// <summary>
    /// orderId of the earliest purchase (ties on <see cref="FirstPurchaseAt"/> go to the smaller kept id, ordinal: the id as
    /// sent when short, the key when long, so two long ids at one instant go by their hashes, not by the ids as sent); it earns
    /// the first-purchase multiplier. Kept as its order keeps it (<see cref="Domain.Orders.OrderIds.Key"/>): set to the id as sent, it holds the kept one.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FirstPurchaseOrderId { get; set => field = value is null ? null : Domain.Orders.OrderIds.Key(value); }

    public DateTimeOffset? LastPurchaseAt { get; set; }

    /// <summary>The newest ids of events that are not purchases or refunds (those are remembered on their order), oldest first; readable ids for tools.</summary>
    public List<string> RecentEventIds { get; init; } = [];

    /// <summary>
    /// Hashes of applied event ids by UTC date applied, each with the fingerprint of its event where one was taken, kept 30
    /// days (the layout is <see cref="EventIdWindow"/>'s; a day stored before fingerprints holds hashes alone and still
    /// reads); null when empty. Each day is stored as the base64 string of its bytes (<see cref="EventIdDay"/>).
    /// Warning: copy the state only through JSON (as the grain's storage does); a shallow copy of this dictionary shares
    /// the days' buffers, and an id remembered in one copy is appended into the buffer the other still holds.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<DateOnly, EventIdDay>? EventIdsByDay { get; set; }

    public List<HeldRefund> HeldRefunds { get; init; } = [];

    public List<RedemptionRecord> Redemptions { get; init; } = [];

    /// <summary>Support's manual adjustments on the latest programme-local day it made one (<see cref="SupportDeskLimit"/>); null until then.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SupportDeskDay? SupportDay { get; set; }

    /// <summary>Who made the member's recent manual adjustments (Domain/Points/AdjustmentActors: at most 32, for 30 days); null until one is kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<AdjustmentActorRecord>? AdjustmentActors { get; set; }

    /// <summary>Coupons, benefit usage and recent stores (Domain/Offers, CONTRACT.md §2.1); null until the member has any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Offers.MemberOfferState? Offers { get; set; }

    /// <summary>The newest ledger entries, oldest first.</summary>
    public List<LedgerEntry> Ledger { get; init; } = [];

    public long NextSequence { get; set; } = 1;

    /// <summary>What the member has contributed to programme metrics (its activity days, last counted segments; Domain/Metrics).</summary>
    [JsonIgnore]
    public MemberMetricState Metrics { get; set; } = MemberMetricState.Empty;

    /// <summary>How <see cref="Metrics"/> is stored: omitted while the member has contributed nothing.</summary>
    [JsonPropertyName("metrics")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MemberMetricState? StoredMetrics
    {
        get => Metrics == MemberMetricState.Empty ? null : Metrics;
        set => Metrics = value ?? MemberMetricState.Empty;
    }

    /// <summary>Effects decided but not yet confirmed by their receivers; stored with the state, drained after the write (<see cref="MemberOutbox"/>).</summary>
    [JsonIgnore]
    public MemberOutbox Outbox { get; private set; } = new();

    /// <summary>
    /// How <see cref="Outbox"/> is stored: its pending effects, omitted when there are none (most stored members); what
    /// the same document already says is not written again (<see cref="OutboxStorage"/>): a pending ledger entry that
    /// <see cref="Ledger"/> also holds is stored as its sequence number only, metric contributions without the ids and
    /// member id rebuilt from <see cref="MemberId"/>; loading the state turns both back. Internal: only the state's JSON
    /// and <see cref="OutboxBytes"/> read it. The list read here is the outbox's pending list itself or, when it has short
    /// forms, the outbox's own stored-form list (<see cref="MemberOutbox.StoredForm"/>), refilled by this member's next
    /// read: never shared with another member.
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("outbox")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal List<MemberEffect>? StoredOutbox
    {
        get => Outbox.Count == 0 ? null : OutboxStorage.ForStorage(Outbox, Ledger, MemberId);
        set => Outbox.Pending = value ?? [];
    }

    /// <summary>Turns the stored outbox's short forms back into its effects. Throws <see cref="System.Text.Json.JsonException"/> for one the stored state cannot resolve.</summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        OutboxStorage.Resolve(Outbox.Pending, Ledger, MemberId);
        PointsDebtBook.Normalise(this);
    }
}
