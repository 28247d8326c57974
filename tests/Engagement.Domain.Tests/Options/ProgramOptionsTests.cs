using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Options;

public class ProgramOptionsTests
{
    [Fact]
    public void DefaultsAreValidAndMatchTheContract()
    {
        var options = new ProgramOptions();

        Assert.Empty(options.Validate());
        Assert.Equal("Engagement:Program", ProgramOptions.SectionName);
        Assert.Equal(0.01m, options.PointValue);
        Assert.Equal(["V1", "V2", "V3", "V4"], TierPolicy.Ladder(options));
        Assert.Equal([0L, 1_000L, 5_000L, 20_000L], TierPolicy.Ladder(options).Select(t => options.Tiers[t].Threshold));
        Assert.Equal([1.0m, 1.2m, 1.5m, 2.0m], TierPolicy.Ladder(options).Select(t => options.Tiers[t].PointsMultiplier));
        Assert.Equal(12, options.PointsLifetimeMonths);
        Assert.Equal(30, options.TierGraceDays);
        Assert.Equal(365, options.GrowthWindowDays);
        Assert.Equal(50, options.LedgerEntriesKept);
        Assert.Equal((64, 2_048), (options.RecentEventIdsKept, options.MaxRememberedEventIds));
        Assert.Equal(20, options.MaxHeldRefunds);
        Assert.Equal(TimeSpan.FromHours(24), options.HeldRefundTimeout);
        Assert.Equal((400, 250, 300), (options.OrderRetentionDays, options.MaxOrders, options.MaxOrderSummaries));
        Assert.Equal("Asia/Shanghai", options.DefaultTimeZone);
    }

    [Theory]
    [InlineData(0.008, true)]
    [InlineData(0.012, true)]
    [InlineData(0.0079, false)]
    [InlineData(0.0121, false)]
    public void PointValueMayMoveOnlyTwentyPercentFromTheAnchor(double value, bool valid)
    {
        var options = new ProgramOptions { PointValue = (decimal)value };

        Assert.Equal(valid, !options.Validate().Any(e => e.Contains("PointValue", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(1, true)]
    [InlineData(365, true)]
    [InlineData(0, false)]
    [InlineData(366, false)]
    public void RedemptionUndoGraceDaysIsOneToThreeHundredSixtyFiveNamedWhenWrong(int days, bool valid)
    {
        var options = new ProgramOptions { RedemptionUndoGraceDays = days };

        Assert.Equal(valid ? [] : ["RedemptionUndoGraceDays must be 1–365."], options.Validate());
        Assert.Equal(30, new ProgramOptions().RedemptionUndoGraceDays);
    }

    [Fact]
    public void TiersMustStartAtZeroAscendAndHavePositiveMultipliers()
    {
        var options = new ProgramOptions();
        options.Tiers["V1"].Threshold = 10;
        options.Tiers["V3"].Threshold = 1_000;
        options.Tiers["V4"].PointsMultiplier = 0;

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("Threshold 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("same Threshold", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("V4:PointsMultiplier", StringComparison.Ordinal));
    }

    [Fact]
    public void NegativeCapsAndUnknownBenefitTiersAreErrors()
    {
        var options = new ProgramOptions();
        options.BehaviourGrowth["share"].DailyCap = -1;
        options.Benefits["birthday-coupon"].Tier = "V9";
        options.MaxHeldRefunds = -1;
        options.DefaultTimeZone = "Nowhere/Special";
        options.Rfm.Frequency3Min = 1;
        options.OrderRetentionDays = 30;

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("BehaviourGrowth:share", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("V9", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxHeldRefunds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DefaultTimeZone", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("frequency", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("OrderRetentionDays", StringComparison.Ordinal));
    }

    [Fact]
    public void RenamedTiersWorkWhenConfigured()
    {
        var options = new ProgramOptions();
        options.Tiers.Clear();
        options.Tiers["Silver"] = new TierRule { Threshold = 0, PointsMultiplier = 1m };
        options.Tiers["Gold"] = new TierRule { Threshold = 500, PointsMultiplier = 1.5m };
        options.Benefits.Clear();

        Assert.Empty(options.Validate());
        Assert.Equal("Gold", TierPolicy.Qualifying(options, 600));
    }
}
