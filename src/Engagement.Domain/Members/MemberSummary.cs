using Engagement.Domain.Benefits;
using Engagement.Domain.Points;
using Engagement.Domain.Rfm;

namespace Engagement.Domain.Members;

/// <summary>Everything the live view needs, computed at one instant.</summary>
public sealed record MemberSummary
{
    public string MemberId { get; init; } = "";

    public bool HasBeenSeen { get; init; }

    public string Tier { get; init; } = "";

    /// <summary>When the member entered the tier, in event time (<see cref="MemberState.TierSince"/>; the first-seen instant for the tier it started in).</summary>
    public DateTimeOffset? TierSince { get; init; }

    /// <summary>When a running grace ends (the tier drops one level then unless growth recovers).</summary>
    public DateTimeOffset? TierGraceUntil { get; init; }

    /// <summary>Growth value in the trailing window.</summary>
    public long GrowthValue { get; init; }

    public long PointsBalance { get; init; }

    /// <summary>Cash value of the balance at the configured point value (0 when negative).</summary>
    public decimal PointsValue { get; init; }

    public IReadOnlyList<PointsLot> PointsLots { get; init; } = [];

    public DateTimeOffset? LastActivityAt { get; init; }

    public DateTimeOffset? RegisteredAt { get; init; }

    public RfmResult Rfm { get; init; } = new();

    public string? RegionId { get; init; }

    public IReadOnlyList<GrantedBenefit> Benefits { get; init; } = [];

    public IReadOnlyDictionary<string, long> Behaviour { get; init; } = new Dictionary<string, long>();

    /// <summary>The IANA zone in effect (the member's, else the programme default).</summary>
    public string TimeZone { get; init; } = "";

    public IReadOnlyDictionary<string, bool> Consent { get; init; } = new Dictionary<string, bool>();

    /// <summary>When staff last changed the consent, or null (<see cref="MemberState.ConsentChangedAt"/>).</summary>
    public DateTimeOffset? ConsentChangedAt { get; init; }

    /// <summary>Who made that change, or null (<see cref="MemberState.ConsentChangedBy"/>).</summary>
    public ConsentActor? ConsentChangedBy { get; init; }

    /// <summary>What that change did (<see cref="MemberState.ConsentChange"/>), e.g. <c>sms default→no</c>.</summary>
    public string? ConsentChange { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public DateOnly? Birthday { get; init; }

    public string? Phone { get; init; }

    /// <summary>Refunds waiting for their purchase.</summary>
    public int HeldRefunds { get; init; }

    /// <summary>
    /// Those refunds, oldest held first, each with its currency (the programme's unless it named another) and the instant
    /// it stops waiting (held at + <c>HeldRefundTimeout</c>).
    /// </summary>
    public IReadOnlyList<(HeldRefund Refund, string Currency, DateTimeOffset HeldUntil)> HeldRefundList { get; init; } = [];
}
