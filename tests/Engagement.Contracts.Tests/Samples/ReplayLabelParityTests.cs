using Engagement.Contracts.Events;
using PurchasePublisher;

namespace Engagement.Contracts.Tests.Samples;

/// <summary>
/// <c>PurchasePublisher replay</c> counts an event "by type" only when the engine would take it. It counted a
/// <c>login</c> carrying <c>coupons</c> as a login, while the engine's validator dead-letters it ("coupons: purchase
/// only"). The sample takes nothing from the engine (Azure.Storage.Queues and JSON only), so its judge is held here to
/// the engine's own verdict (<see cref="EventParser.Parse(string, DateTimeOffset)"/>) event by event.
/// </summary>
public sealed class ReplayLabelParityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 40, 0, TimeSpan.FromHours(8));

    private static string Event(string id, string type, string extra = "") =>
        $$"""{"eventId": "{{id}}", "type": "{{type}}", "memberId": "M1", "occurredAt": "2026-11-23T07:39:16+08:00"{{extra}}""" + "}";

    public static TheoryData<string, string> Lines() => new()
    {
        { "login with a coupon", Event("p-1", "login", ""","coupons": ["WB3N-7K2Q-MX9P-R4TD"]""") },
        { "browse with coupons", Event("p-2", "browse", ""","coupons": ["C1", "C2"]""") },
        { "share with a coupon", Event("p-3", "share", ""","coupons": ["C1"]""") },
        { "purchase with a coupon", Event("p-4", "purchase", ""","orderId": "O-1", "amount": 10.00, "coupons": ["C1"]""") },
        { "refund with a coupon", Event("p-5", "refund", ""","orderId": "O-1", "amount": 10.00, "coupons": ["C1"]""") },
        { "login with no coupons", Event("p-6", "login", ""","coupons": []""") },
        { "login", Event("p-7", "login") },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void TheReplayCountsAnEventByTypeExactlyWhenTheEngineWouldTakeIt(string kind, string line)
    {
        var engine = EventParser.Parse(line, Now);
        var label = Assert.Single(ReplayLabel.Read(line, new HashSet<string>(StringComparer.Ordinal)).Labels);

        Assert.True(engine.IsValid == ReplayLabel.IsEventType(label), $"{kind}: the engine says {engine.ErrorMessage ?? "valid"}, the replay {label}");
        Assert.Equal(engine.IsValid ? engine.Event!.Type : ReplayLabel.Malformed, label);
    }
}
