using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Touches;
using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Grains.Members;

/// <summary>Maps between the wire contracts (Engagement.Contracts) and the domain types; no rules here.</summary>
internal static class MemberMapper
{
    public static MemberEvent ToDomain(EngagementEvent evt) => new(evt.EventId, evt.Type, evt.OccurredAt)
    {
        OrderId = evt.OrderId,
        Amount = evt.Amount,
        Currency = evt.Currency,
        RegionId = evt.RegionId,
        StoreId = evt.StoreId,
        Channel = evt.Channel,
        Items = ToDomain(evt.Items),
        Properties = evt.Properties,
        Coupons = evt.Coupons,
        SourceQueue = evt.SourceQueue,
        SourceText = evt.SourceText,
        SourceBatchIndex = evt.SourceBatchIndex,
        SourceBatchSize = evt.SourceBatchSize,
    };

    /// <summary>A purchase's lines as the domain's, in one array of their count; the shared empty array when there are none (most events).</summary>
    private static MemberEventItem[] ToDomain(IReadOnlyList<EventItem> items)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var lines = new MemberEventItem[items.Count];
        for (var i = 0; i < lines.Length; i++)
        {
            var item = items[i];
            lines[i] = new MemberEventItem(item.Sku, item.Category, item.Quantity, item.UnitPrice);
        }

        return lines;
    }

    public static MemberView ToView(MemberState state, MemberSummary summary, CapsSnapshot caps) => new()
    {
        MemberId = summary.MemberId,
        Tier = summary.Tier,
        GrowthValue = summary.GrowthValue,
        PointsBalance = summary.PointsBalance,
        LastActivityAt = summary.LastActivityAt,
        LifecycleStage = state.Lifecycle.Stage,
        WinBackLevel = LifecyclePolicy.RunningWinBackLevel(state.Lifecycle),
        Rfm = new RfmView
        {
            RecencyDays = summary.Rfm.RecencyDays,
            Frequency = summary.Rfm.Frequency,
            Monetary = summary.Rfm.Monetary,
            RecencyScore = summary.Rfm.RecencyScore,
            FrequencyScore = summary.Rfm.FrequencyScore,
            MonetaryScore = summary.Rfm.MonetaryScore,
            Score = summary.Rfm.Score,
            Segment = summary.Rfm.Segment,
            ValueClass = summary.Rfm.ValueClass,
        },
        RegionId = summary.RegionId,
        Benefits = summary.Benefits.Select(b => new BenefitView { Code = b.Code, Name = b.Name, Kind = b.Kind, FromTier = b.FromTier, GrantedAt = b.GrantedAt }).ToList(),
        Caps = new CapsView
        {
            MarketingToday = caps.MarketingToday,
            MarketingLast7Days = caps.MarketingLast7Days,
            MarketingDailyLimit = caps.MarketingDailyLimit,
            MarketingWeeklyLimit = caps.MarketingWeeklyLimit,
            ChannelToday = caps.ChannelToday,
            OptedOutChannels = caps.OptedOutChannels,
        },
        RegisteredAt = summary.RegisteredAt ?? default,
        PointsLots = summary.PointsLots.Select(l => new PointsLotView { LotId = l.LotId, Remaining = l.Remaining, Original = l.Original, EarnedAt = l.EarnedAt, ExpiresAt = l.ExpiresAt }).ToList(),
        Behaviour = summary.Behaviour,
        TierSince = summary.TierSince,
        TierGraceUntil = summary.TierGraceUntil,
        TimeZone = summary.TimeZone,
        Consent = summary.Consent,
        ConsentChangedAt = summary.ConsentChangedAt,
        ConsentChangedBy = summary.ConsentChangedBy is { } by ? new StaffActor { Name = by.Name, Role = by.Role, Reason = by.Reason } : null,
        ConsentChange = summary.ConsentChange,
        Tags = summary.Tags,
        HeldRefunds = [.. summary.HeldRefundList.Select(h => new HeldRefundView
        {
            EventId = h.Refund.EventId, OrderId = h.Refund.OrderId, Amount = h.Refund.Amount, Currency = h.Currency,
            OccurredAt = h.Refund.OccurredAt.ToUniversalTime(), HeldSince = h.Refund.HeldAt.ToUniversalTime(), HeldUntil = h.HeldUntil.ToUniversalTime(),
        })],
    };

    /// <summary>The live view as of <paramref name="now"/> (CONTRACT.md §1.1): what time made due shows even before a tick records it.</summary>
    public static MemberView ToView(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var current = MemberProjection.AsOf(state, options, now);
        return ToView(current, MemberEngine.Summarize(current, options, now), TouchGovernor.CapsSnapshot(current, options, now));
    }

    public static LedgerEntryView ToView(LedgerEntry entry) => new()
    {
        Sequence = entry.Sequence,
        At = entry.At.ToUniversalTime(),
        Kind = entry.Kind,
        Delta = entry.Delta,
        BalanceAfter = entry.BalanceAfter,
        Reason = entry.Reason,
        RuleId = entry.RuleId,
        EventId = entry.EventId,
        OccurredAt = entry.EffectiveOccurredAt.ToUniversalTime(),
        TierLeft = entry.TierLeft,
    };

    public static TouchView ToView(TouchDecision decision) => new()
    {
        TouchId = decision.TouchId,
        Channel = decision.Channel,
        Kind = decision.Kind,
        Decision = decision.Decision,
        Reason = decision.Reason,
        DecidedAt = decision.DecidedAt,
        NotBefore = decision.NotBefore,
        CampaignId = decision.CampaignId,
        Level = decision.Level,
        Offer = decision.Offer,
        Category = decision.Category,
        CouponCode = decision.CouponCode,
    };

    public static TouchMessage ToMessage(string memberId, TouchDecision decision) => new()
    {
        TouchId = decision.TouchId,
        MemberId = memberId,
        Channel = decision.Channel,
        Kind = decision.Kind,
        CampaignId = decision.CampaignId,
        Level = decision.Level,
        Offer = decision.Offer,
        CouponCode = decision.CouponCode,
        CreatedAt = decision.DecidedAt,
    };

    /// <summary>The newest of the recent ledger entries the member keeps (when the archive is unreachable), newest first.</summary>
    public static List<LedgerEntryView> RecentLedger(MemberState state, string? kind, long? before, int limit)
    {
        var views = new List<LedgerEntryView>(Math.Min(limit, state.Ledger.Count));
        for (var i = state.Ledger.Count - 1; i >= 0 && views.Count < limit; i--)
        {
            var e = state.Ledger[i];
            if ((kind is null || e.Kind == kind) && (before is null || e.Sequence < before))
            {
                views.Add(ToView(e));
            }
        }

        views.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));
        return views;
    }

    public static ApplyResult ToResult(string status, EventDecision decision, string? reason) => new()
    {
        Status = status,
        Reason = reason,
        Tier = decision.Tier,
        PointsBalance = decision.PointsBalance,
        GrowthValue = decision.GrowthValue,
    };

    public static RedemptionResult ToResult(string redemptionId, RedemptionDecision decision) => new()
    {
        RedemptionId = redemptionId,
        Status = decision.Status,
        PointsBalance = decision.PointsBalance,
        PointsValue = decision.PointsValue,
        CashAmount = decision.CashAmount,
        Replayed = decision.Replayed,
        Detail = decision.Detail,
        Field = decision.Field,
    };

    /// <summary>The answer to a staff adjustment: <paramref name="decision"/>'s, or "unknown member" when it is null (the member was never seen).</summary>
    public static AdjustmentResult ToResult(AdjustmentRequest request, AdjustmentDecision? decision) => new()
    {
        AdjustmentId = request.AdjustmentId,
        Status = decision?.Status ?? AdjustmentResult.UnknownMember,
        Kind = request.Kind,
        Delta = request.Delta,
        BalanceAfter = decision?.BalanceAfter ?? 0,
        Detail = decision?.Detail ?? "member has never been seen",
        MadeBy = decision?.MadeBy is { } by ? new AdjustmentActorView { Name = by.Name, Role = by.Role } : null,
        DeskDay = decision?.DeskDay,
        DeskTimeZone = decision?.DeskTimeZone,
        DeskUsed = decision?.DeskUsed,
    };

    /// <summary>A ledger page of <paramref name="entries"/> (newest first); a full page of <paramref name="limit"/> names the sequence to read on from.</summary>
    public static LedgerPage ToPage(IReadOnlyList<LedgerEntryView> entries, int limit) => new()
    {
        Entries = entries,
        NextBefore = entries.Count == limit && entries[^1].Sequence > 1 ? entries[^1].Sequence : null,
    };
}
