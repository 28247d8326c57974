using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

public sealed class TriggerAndPauseRuleTests
{
    private static readonly CampaignTriggerRule Skincare = new("purchase", "skincare", 200m);

    [Fact]
    public void ATriggerNeedsTheTypeAnItemOfTheCategoryAndAtLeastTheAmount()
    {
        Assert.True(Skincare.Matches("purchase", ["food", "SkinCare"], 200m));
        Assert.False(Skincare.Matches("purchase", ["skincare"], 199.99m));
        Assert.False(Skincare.Matches("purchase", ["food"], 300m));
        Assert.False(Skincare.Matches("Purchase", ["skincare"], 300m));
        Assert.False(Skincare.Matches("purchase", ["skincare"], null));
        Assert.True(new CampaignTriggerRule("login", null, null).Matches("login", [], null));
        Assert.True(new CampaignTriggerRule("purchase", null, 100m).Matches("purchase", [null], 100m));
    }

    [Theory]
    [InlineData(CampaignPhase.Counting)]
    [InlineData(CampaignPhase.Running)]
    [InlineData(CampaignPhase.Active)]
    public void ARunningOrActiveCampaignPausesAndResumesToWhereItWas(CampaignPhase phase)
    {
        var pause = CampaignPauseRule.Pause(phase);
        Assert.Equal(new ControlDecision(ControlVerdict.Change, CampaignPhase.Paused, null), pause);

        var resume = CampaignPauseRule.Resume(CampaignPhase.Paused, phase, validityOver: false);
        Assert.Equal(new ControlDecision(ControlVerdict.Change, phase, null), resume);
        Assert.Equal(ControlVerdict.Already, CampaignPauseRule.Resume(phase, CampaignPhase.Draft, false).Verdict);
    }

    [Fact]
    public void RepeatsAreIdempotentAndImpossibleTransitionsSayWhy()
    {
        Assert.Equal(ControlVerdict.Already, CampaignPauseRule.Pause(CampaignPhase.Paused).Verdict);

        var draft = CampaignPauseRule.Pause(CampaignPhase.Draft);
        Assert.Equal(ControlVerdict.Refused, draft.Verdict);
        Assert.Contains("trigger it first", draft.Reason, StringComparison.Ordinal);
        Assert.Equal(CampaignPhase.Draft, draft.RefusedAs);
        Assert.Equal(CampaignPhase.Completed, CampaignPauseRule.Resume(CampaignPhase.Completed, CampaignPhase.Draft, false).RefusedAs);
        Assert.Null(CampaignPauseRule.Pause(CampaignPhase.Paused).RefusedAs);
        Assert.Contains("completed", CampaignPauseRule.Pause(CampaignPhase.Completed).Reason, StringComparison.Ordinal);
        Assert.Contains("validity is over", CampaignPauseRule.Pause(CampaignPhase.Ended).Reason, StringComparison.Ordinal);
        Assert.Equal(ControlVerdict.Refused, CampaignPauseRule.Resume(CampaignPhase.Completed, CampaignPhase.Draft, false).Verdict);

        // A campaign whose validity ran out while paused is not resumed, a triggered one or a broadcast.
        var late = CampaignPauseRule.Resume(CampaignPhase.Paused, CampaignPhase.Active, validityOver: true);
        Assert.Equal(ControlVerdict.Refused, late.Verdict);
        Assert.Contains("validity is over", late.Reason, StringComparison.Ordinal);
        Assert.Equal(CampaignPhase.Ended, late.RefusedAs);
        var lateBroadcast = CampaignPauseRule.Resume(CampaignPhase.Paused, CampaignPhase.Running, validityOver: true);
        Assert.Equal(ControlVerdict.Refused, lateBroadcast.Verdict);
        Assert.Contains("validity is over", lateBroadcast.Reason, StringComparison.Ordinal);
        Assert.Equal(ControlVerdict.Change, CampaignPauseRule.Resume(CampaignPhase.Paused, CampaignPhase.Running, validityOver: false).Verdict);
        Assert.True(CampaignPauseRule.WindowOver(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero)));
        Assert.False(CampaignPauseRule.WindowOver(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 26, 1, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void APausedBroadcastIsEndedOnceItsWindowIsOverAndNoRetryDeliversWhilePaused()
    {
        var until = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Assert.False(CampaignPauseRule.EndsWhilePaused(CampaignPhase.Paused, CampaignPhase.Running, until, until.AddTicks(-1)));
        Assert.True(CampaignPauseRule.EndsWhilePaused(CampaignPhase.Paused, CampaignPhase.Running, until, until));
        Assert.True(CampaignPauseRule.EndsWhilePaused(CampaignPhase.Paused, CampaignPhase.Counting, until, until));
        Assert.False(CampaignPauseRule.EndsWhilePaused(CampaignPhase.Paused, CampaignPhase.Active, until, until)); // triggered: grants nothing anyway
        Assert.False(CampaignPauseRule.EndsWhilePaused(CampaignPhase.Running, CampaignPhase.Draft, until, until)); // the running loop ends it itself

        Assert.True(CampaignPauseRule.RetryMayDeliver(CampaignPhase.Running, until, until.AddTicks(-1)));
        Assert.False(CampaignPauseRule.RetryMayDeliver(CampaignPhase.Paused, until, until.AddTicks(-1)));
        Assert.False(CampaignPauseRule.RetryMayDeliver(CampaignPhase.Running, until, until));
    }
}
