using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Members;

/// <summary>One member, the default programme and a clock the test moves by hand.</summary>
internal sealed class TestMember
{
    public static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    private int _next;

    public TestMember(DateTimeOffset? now = null)
    {
        Now = now ?? Shanghai(2025, 1, 10);
    }

    public MemberState State { get; } = new() { MemberId = "M000123" };

    public ProgramOptions Options { get; } = new();

    public DateTimeOffset Now { get; set; }

    public long Balance => PointsWallet.Balance(State);

    public long Growth => GrowthPolicy.TrailingGrowth(State, Options, Now);

    public string Tier => TierPolicy.Current(State, Options);

    public MemberSummary Summary => MemberEngine.Summarize(State, Options, Now);

    public static DateTimeOffset Shanghai(int year, int month, int day, int hour = 12, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, ShanghaiOffset);

    public string NextEventId() => "evt-" + (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public EventDecision Apply(MemberEvent evt) => MemberEngine.Apply(State, evt, Options, Now);

    public EventDecision Purchase(string orderId, decimal amount, DateTimeOffset? at = null, string? eventId = null) =>
        Apply(new MemberEvent(eventId ?? NextEventId(), MemberEventTypes.Purchase, at ?? Now) { OrderId = orderId, Amount = amount });

    public EventDecision Refund(string orderId, decimal amount, DateTimeOffset? at = null, string? eventId = null) =>
        Apply(new MemberEvent(eventId ?? NextEventId(), MemberEventTypes.Refund, at ?? Now) { OrderId = orderId, Amount = amount });

    public EventDecision Behave(string type, DateTimeOffset? at = null, string? eventId = null) =>
        Apply(new MemberEvent(eventId ?? NextEventId(), type, at ?? Now));

    public EventDecision UpdateProfile(params (string Key, string Value)[] properties) =>
        Apply(new MemberEvent(NextEventId(), MemberEventTypes.ProfileUpdate, Now)
        {
            Properties = properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        });

    public RedemptionDecision Redeem(string redemptionId, long points, decimal? cash = null, string? rewardId = null) =>
        RedemptionPolicy.Redeem(State, redemptionId, points, cash, rewardId, Options, Now);
}
