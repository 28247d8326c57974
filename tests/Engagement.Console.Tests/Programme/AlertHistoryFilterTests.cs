using Engagement.Console.Services;
using Engagement.Grains.Programme;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// A shared link's alert-history filter (<see cref="AlertHistoryFilter.FromQuery"/>) as the alerts grain matches it
/// (exactly): a link typed <c>EAST</c> or <c>Complaints.High</c> found nothing, <c>*</c> (the filters' "every" choice)
/// was looked for as a region, and a source longer than the grain keeps never matched.
/// </summary>
public sealed class AlertHistoryFilterTests
{
    private static readonly string[] Regions = ["east", "west"];

    [Fact]
    public void AKnownRuleAndAConfiguredRegionAreMatchedWhateverTheirCase()
    {
        Assert.Equal(new AlertHistoryFilter("complaints.high", "east"), AlertHistoryFilter.FromQuery(" Complaints.High ", "EAST", Regions));
        Assert.Equal(new AlertHistoryFilter("data.anomaly", "all"), AlertHistoryFilter.FromQuery("DATA.ANOMALY", "All", Regions));
    }

    [Fact]
    public void AnotherSourceIsKeptAsTypedAndStarOrBlankIsNoFilter()
    {
        Assert.Equal(new AlertHistoryFilter(null, "Nightly-Backup"), AlertHistoryFilter.FromQuery("*", "Nightly-Backup", Regions));
        Assert.Equal(AlertHistoryFilter.None, AlertHistoryFilter.FromQuery(" ", " * ", Regions));
        Assert.Equal(AlertHistoryFilter.None, AlertHistoryFilter.FromQuery(null, null, Regions));
    }

    /// <summary>
    /// A region spelled as an event may spell it (<c>East.</c>, <c>w est</c>) is matched to the region such an event
    /// counts under (<c>MetricsOptions.RegionOf</c>) when that is configured; it used to be kept as typed and matched no
    /// alert. A source with no region characters is not taken for the default region that is its fallback.
    /// </summary>
    [Fact]
    public void ARegionSpelledAsAnEventMaySpellItIsTheRegionItCountsUnder()
    {
        Assert.Equal("east", AlertHistoryFilter.FromQuery(null, "East.", Regions).RegionId);
        Assert.Equal("west", AlertHistoryFilter.FromQuery(null, "w est", Regions).RegionId);
        Assert.Equal("数据备份", AlertHistoryFilter.FromQuery(null, "数据备份", ["east", "default"]).RegionId);
        Assert.Equal("north.", AlertHistoryFilter.FromQuery(null, "north.", Regions).RegionId);
    }

    [Fact]
    public void ALongSourceIsCutAsTheAlertsGrainCutsIt()
    {
        Assert.Equal(AlertsGrain.MaxSourceLength, AlertHistoryFilter.MaxValueLength);
        var source = new string('s', 80);
        Assert.Equal(source[..AlertsGrain.MaxSourceLength], AlertHistoryFilter.FromQuery(null, source, Regions).RegionId);
    }
}
