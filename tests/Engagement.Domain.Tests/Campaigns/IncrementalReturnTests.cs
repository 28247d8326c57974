using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>
/// Incremental revenue and ROI: what the campaign caused, net of what the treated members would have bought untouched
/// (the control's revenue per member); plain ROI counts all their revenue, and reads far better than the truth.
/// </summary>
public class IncrementalReturnTests
{
    [Fact]
    public void IncrementalRevenueSubtractsTheControlsRevenuePerMemberTimesTheTreatedAudience()
    {
        var treated = new GroupTally { Audience = 900, Converted = 90, Revenue = 27_000m, Cost = 1_800m };
        var control = new GroupTally { Audience = 100, Converted = 8, Revenue = 2_400m };

        // Untouched, 900 members would have bought 2,400 / 100 × 900 = 21,600: the campaign added 5,400 for 1,800 spent.
        Assert.Equal(5_400m, CampaignMath.IncrementalRevenue(treated, control));
        Assert.Equal(2.0, CampaignMath.IncrementalRoi(treated, control)!.Value, 12);
        Assert.Equal(14.0, CampaignMath.Roi(treated)!.Value, 12); // the plain ROI, unchanged, counts all 27,000
    }

    [Fact]
    public void IncrementalRevenueIsRoundedToTheFenAndMayBeNegative()
    {
        var treated = new GroupTally { Audience = 3, Revenue = 10m, Cost = 20m };
        var control = new GroupTally { Audience = 7, Revenue = 30m };

        // 10 − 30 × 3 / 7 = 10 − 12.857142… = −2.857142… → −2.86
        Assert.Equal(-2.86m, CampaignMath.IncrementalRevenue(treated, control));
        Assert.Equal((double)((-2.86m - 20m) / 20m), CampaignMath.IncrementalRoi(treated, control)!.Value, 12);
    }

    [Fact]
    public void WithoutAControlGroupOrASpendThereIsNoIncrementalFigure()
    {
        var treated = new GroupTally { Audience = 10, Revenue = 100m, Cost = 20m };

        Assert.Null(CampaignMath.IncrementalRevenue(treated, new GroupTally()));
        Assert.Null(CampaignMath.IncrementalRoi(treated, new GroupTally()));
        Assert.Equal(100m, CampaignMath.IncrementalRevenue(treated with { Cost = 0m }, new GroupTally { Audience = 5 }));
        Assert.Null(CampaignMath.IncrementalRoi(treated with { Cost = 0m }, new GroupTally { Audience = 5 }));
    }
}
