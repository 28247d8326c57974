using System.Text.Json;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// The band a points-band judgement recorded on its window (<see cref="AlertWindow.BandLow"/>,
/// <see cref="AlertWindow.BandHigh"/>) is shown by the grain (<c>GET /alerts</c>, the console) but the queue message's
/// window keeps the shape it had (CONTRACT.md §5 plus the additive window): <see cref="AlertsGrain.ToMessage"/> leaves it out.
/// </summary>
public sealed class AlertBandMessageTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void TheQueueMessagesWindowKeepsItsKeysWithoutTheRecordedBand()
    {
        var record = new AlertRecord
        {
            AlertId = "points.redemption-band:east:1",
            Rule = AlertRules.PointsRedemptionBand,
            RegionId = "east",
            State = AlertStates.Open,
            Value = 0.2,
            Threshold = 0.28,
            RaisedAt = new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero),
            Message = "points redemption 20%",
            Direction = AlertDirections.Below,
            Window = new AlertWindow { From = new(2026, 9, 6), To = new(2026, 12, 4), Days = 90, Threshold = 0.28, BandLow = 0.28, BandHigh = 0.32 },
        };

        var message = AlertsGrain.ToMessage(record);
        var window = JsonSerializer.SerializeToElement(message, Web).GetProperty("window");

        Assert.Equal(["baselineFrom", "baselineTo", "days", "from", "threshold", "to"], window.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0.28, message.Window!.Threshold);
    }
}
