using System.Globalization;
using System.Text.Json.Serialization;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Ledger;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// Something the member decided that must leave the grain after its state is stored: an archive row, a touch, a
/// journal row, a dead letter, an index upsert. It rides in the member's <see cref="MemberOutbox"/> inside the one
/// state write and is emitted after it; its <see cref="Id"/> is deterministic, so emitting it again after a crash
/// is a no-op at the receiver (ARCHITECTURE.md, "The member hot path").
/// </summary>
/// <remarks>
/// A new kind (metric contribution, coupon record, ...) is one sealed record here plus its
/// <c>[JsonDerivedType]</c> line and one emitter handler in the grains; nothing else changes. An override of
/// <see cref="Id"/>, <see cref="ConfirmDurably"/>, <see cref="MayWaitForBatch"/>, <see cref="FollowUp"/> or <see cref="After"/> carries
/// <c>[JsonIgnore]</c> again: System.Text.Json does not inherit it from the base, and would otherwise store the derived
/// values in every state write (pinned by <c>MemberEffectJsonTests</c>).
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$effect")]
[JsonDerivedType(typeof(RecordMetrics), "metrics")]
[JsonDerivedType(typeof(CompactRecordMetrics), "metrics-compact")]
[JsonDerivedType(typeof(ArchiveLedgerEntry), "ledger")]
[JsonDerivedType(typeof(ArchiveLedgerReference), "ledger-ref")]
[JsonDerivedType(typeof(PublishTouch), "touch")]
[JsonDerivedType(typeof(JournalWinBackStep), "journal")]
[JsonDerivedType(typeof(DeadLetterRefund), "dead-letter")]
[JsonDerivedType(typeof(UpsertMemberIndex), "index")]
[JsonDerivedType(typeof(ReportCampaignOutcome), "campaign-outcome")]
[JsonDerivedType(typeof(ReportCampaignPurchase), "campaign-purchase")]
[JsonDerivedType(typeof(ForgetCampaignReport), "campaign-forget")]
[JsonDerivedType(typeof(ReleaseCampaignGrant), "campaign-release")]
[JsonDerivedType(typeof(Offers.RegisterCouponCode), "coupon-code")]
public abstract record MemberEffect
{
    /// <summary>Unique within the member and stable across re-emission: <c>{kind}:{natural key}</c>.</summary>
    [JsonIgnore]
    public abstract string Id { get; }

    /// <summary>
    /// True when the receiver does not drop repeats (a campaign's counters, the poison queue): once confirmed, the
    /// grain stores the emptier outbox at once rather than with its next change, so a reactivation does not send it again.
    /// </summary>
    [JsonIgnore]
    public virtual bool ConfirmDurably => false;

    /// <summary>
    /// True when the effect may stay in the outbox (stored with the state) until enough of its kind are pending to be
    /// sent as one batch: its receiver is read only through the member, which sends everything first.
    /// </summary>
    [JsonIgnore]
    public virtual bool MayWaitForBatch => false;

    /// <summary>
    /// What the outbox queues once this effect is confirmed (null: nothing), stored in the write that confirms it and
    /// emitted after that write: a campaign report's <see cref="ForgetCampaignReport"/>.
    /// </summary>
    [JsonIgnore]
    public virtual MemberEffect? FollowUp => null;

    /// <summary>
    /// The <see cref="Id"/> of an effect the receivers must have confirmed before this one goes out (null: none). While
    /// that effect is pending in the outbox (and the silo has a handler for it), this one stays pending too: a touch
    /// naming a coupon code waits for the code's directory row, so a POS can look up the code the member is told.
    /// </summary>
    [JsonIgnore]
    public virtual string? After => null;

    /// <summary>
    /// True when <paramref name="other"/> has the same <see cref="Id"/>. Ids start with their kind, so effects of two
    /// types never share one; a kind whose id is cheaper to compare than to build overrides this.
    /// </summary>
    public virtual bool HasSameId(MemberEffect other) =>
        other is not null && other.GetType() == GetType() && string.Equals(other.Id, Id, StringComparison.Ordinal);
}

/// <summary>
/// A ledger entry for the append-only archive; the archive row is keyed by its sequence number. Entries wait in the
/// outbox for a batch (one table transaction for many events): the ledger is read through the member grain, which
/// archives what is pending before it reads, and the entries are in the stored state meanwhile.
/// </summary>
public sealed record ArchiveLedgerEntry(LedgerEntry Entry) : MemberEffect
{
    /// <inheritdoc />
    [JsonIgnore]
    public override bool MayWaitForBatch => true;

    [JsonIgnore]
    public override string Id => IdOf(Entry.Sequence);

    /// <inheritdoc />
    /// <remarks>By sequence, without building either id: up to a batch of entries waits, and each new one is compared with all.</remarks>
    public override bool HasSameId(MemberEffect other) => other is ArchiveLedgerEntry entry && entry.Entry.Sequence == Entry.Sequence;

    /// <summary>The id of the archive effect of ledger entry <paramref name="sequence"/>: <c>ledger:{sequence}</c>.</summary>
    internal static string IdOf(long sequence) => "ledger:" + sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// This entry's stored short form (<see cref="ArchiveLedgerReference"/>), made on the first state write that stores
    /// it and reused by every later one: an entry waits through up to <c>LedgerBatch</c> writes, and each made a new
    /// reference before. Immutable, so a race that makes two is harmless. Not part of the record's equality.
    /// </summary>
    /// <remarks>Checked against <see cref="Entry"/> on each use, so a copy made with <c>with</c> never stores the original's.</remarks>
    internal ArchiveLedgerReference Reference =>
        _reference is { } made && made.Sequence == Entry.Sequence ? made : _reference = new ArchiveLedgerReference(Entry.Sequence);

    private ArchiveLedgerReference? _reference;

    /// <summary>Equal when the entries are equal; the cached <see cref="Reference"/> is left out.</summary>
    public bool Equals(ArchiveLedgerEntry? other) =>
        ReferenceEquals(this, other) || (other is not null && base.Equals(other) && EqualityComparer<LedgerEntry>.Default.Equals(Entry, other.Entry));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Entry);
}

/// <summary>
/// How a pending <see cref="ArchiveLedgerEntry"/> is stored when the recent ledger stored in the same write holds that
/// very entry: by its sequence number alone (about 30 bytes of JSON instead of about 170; an entry waits for its batch
/// through up to <c>LedgerBatch</c> writes). It exists only in stored JSON: loading the state turns it back into the
/// <see cref="ArchiveLedgerEntry"/> from the recent ledger (<see cref="LedgerReferences"/>), so no handler ever sees one.
/// </summary>
/// <param name="Sequence">The entry's sequence number in the member's ledger.</param>
public sealed record ArchiveLedgerReference(long Sequence) : MemberEffect
{
    /// <inheritdoc />
    [JsonIgnore]
    public override bool MayWaitForBatch => true;

    /// <summary>The same id as the entry's <see cref="ArchiveLedgerEntry"/>.</summary>
    [JsonIgnore]
    public override string Id => ArchiveLedgerEntry.IdOf(Sequence);
}

/// <summary>A sent touch for the touch outbox queue; connectors drop repeats by <see cref="TouchDecision.TouchId"/>.</summary>
public sealed record PublishTouch(TouchDecision Touch) : MemberEffect
{
    [JsonIgnore]
    public override string Id => "touch:" + Touch.TouchId;

    /// <summary>The registration of the coupon code the touch names (CONTRACT.md §3 <c>couponCode</c>), if any.</summary>
    [JsonIgnore]
    public override string? After => Touch.CouponCode is { } code ? Offers.RegisterCouponCode.IdOf(code) : null;
}

/// <summary>A win-back step (level entered, won back, gone dormant) for the programme's win-back journal.</summary>
/// <param name="At">When the step took effect by the rules (UTC).</param>
/// <param name="Kind"><c>winback.level</c>, <c>winback.won</c> or <c>winback.dormant</c>.</param>
/// <param name="Level">The level entered or won back at.</param>
/// <param name="EpisodeStartedAt">When the member's quiet reached the win-back threshold; tells episodes apart.</param>
public sealed record JournalWinBackStep(DateTimeOffset At, string Kind, int? Level, DateTimeOffset? EpisodeStartedAt) : MemberEffect
{
    [JsonIgnore]
    public override string Id => string.Create(CultureInfo.InvariantCulture,
        $"journal:{Kind}|{Level?.ToString(CultureInfo.InvariantCulture) ?? "-"}|{EpisodeStartedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "-"}");
}

/// <summary>A held refund the rules refused or that timed out waiting for its purchase: it goes to the poison queue.</summary>
public sealed record DeadLetterRefund(HeldRefund Refund, string Reason) : MemberEffect
{
    [JsonIgnore]
    public override string Id => "dead-letter:" + Refund.EventId;

    [JsonIgnore]
    public override bool ConfirmDurably => true;
}

/// <summary>The member's audience attributes as of <paramref name="At"/>, for the campaign member index (only the latest counts).</summary>
public sealed record UpsertMemberIndex(MemberAttributes Attributes, DateTimeOffset At) : MemberEffect
{
    [JsonIgnore]
    public override string Id => "index";
}

/// <summary>A campaign arm's outcome for this member moved (e.g. a deferred touch went out): the campaign moves its counters.</summary>
public sealed record ReportCampaignOutcome(string CampaignId, string Arm, string From, string To) : MemberEffect
{
    [JsonIgnore]
    public override string Id => $"campaign-outcome:{CampaignId}:{From}>{To}";

    [JsonIgnore]
    public override bool ConfirmDurably => true;

    [JsonIgnore]
    public override MemberEffect? FollowUp => new ForgetCampaignReport(CampaignId, Id);
}

/// <summary>
/// A purchase attributed to a campaign the member is in (conversion and revenue), or, with a negative amount, revenue a
/// refund takes back. One purchase event can carry both (a purchase meeting the refund that waited for it): the refund's
/// id is its own, so neither replaces the other in the outbox nor is taken for a repeat by the campaign.
/// </summary>
public sealed record ReportCampaignPurchase(string CampaignId, string Group, string? Arm, string EventId, decimal Amount, bool Conversion) : MemberEffect
{
    [JsonIgnore]
    public override string Id => Amount < 0m ? $"campaign-refund:{CampaignId}:{EventId}" : $"campaign-purchase:{CampaignId}:{EventId}";

    [JsonIgnore]
    public override bool ConfirmDurably => true;

    [JsonIgnore]
    public override MemberEffect? FollowUp => new ForgetCampaignReport(CampaignId, Id);
}

/// <summary>
/// The campaign counted report <paramref name="ReportEffectId"/> and this member has stored that it will never send it
/// again: the campaign may forget its id (<see cref="CountedReports.Forget"/>). Sent only after the write that
/// confirmed the report, so the campaign remembers a report exactly as long as its member could still send it again;
/// a repeat of this effect changes nothing.
/// </summary>
/// <param name="CampaignId">The campaign that counted the report.</param>
/// <param name="ReportEffectId">The report's own effect id (<see cref="ReportCampaignOutcome"/>, <see cref="ReportCampaignPurchase"/>).</param>
public sealed record ForgetCampaignReport(string CampaignId, string ReportEffectId) : MemberEffect
{
    [JsonIgnore]
    public override string Id => "campaign-forget:" + ReportEffectId;
}

/// <summary>
/// The member holds no grant of triggered campaign <paramref name="CampaignId"/> that the campaign may hold pending for
/// it: the member's request was sent but its answer lost (a timeout), the grant came but the member failed before storing
/// it, or a campaign of higher priority fired on the same event. The campaign releases the pending grant, if any (its
/// audience count and budget); a repeat finds nothing pending and changes nothing. Withdrawn from the outbox when the
/// member stores a membership of the campaign after all (a later request got the same grant).
/// </summary>
/// <param name="CampaignId">The triggered campaign.</param>
public sealed record ReleaseCampaignGrant(string CampaignId) : MemberEffect
{
    [JsonIgnore]
    public override string Id => "campaign-release:" + CampaignId;
}
