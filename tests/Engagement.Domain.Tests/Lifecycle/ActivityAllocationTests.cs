using Engagement.Domain.Growth;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Lifecycle;

/// <summary>
/// What every applied event runs for a member not at risk or dormant, with nothing to correct allocates nothing: the lifecycle's activity
/// step (in order and late) and the growth records' prune. Their LINQ predicates captured a local declared at method
/// scope, so each call made a closure whether the predicate ran or not (64 bytes per event in the rules bench).
/// </summary>
public sealed class ActivityAllocationTests
{
    [Fact]
    public void AnActiveMembersActivityAndPruneAllocateNothing()
    {
        var member = new TestMember();
        member.Purchase("O-1", 300m, at: member.Now.AddDays(-2));
        member.Behave(MemberEventTypes.Share, at: member.Now.AddDays(-2));
        var last = member.State.Lifecycle.LastActivityAt!.Value;

        var late = AllocationProbe.FewestBytes(() => LifecyclePolicy.OnActivity(member.State, last.AddHours(-1), member.Now, member.Options), enough: 0);
        var minutes = 0;
        var inOrder = AllocationProbe.FewestBytes(() => LifecyclePolicy.OnActivity(member.State, last.AddMinutes(++minutes), member.Now, member.Options), enough: 0);
        var prune = AllocationProbe.FewestBytes(() => GrowthPolicy.Prune(member.State, member.Options, member.Now), enough: 0);

        Assert.Equal((0L, 0L, 0L), (late, inOrder, prune));
        Assert.DoesNotContain(member.State.Lifecycle.Stage, new[] { LifecycleStages.AtRisk, LifecycleStages.Dormant });
    }
}
