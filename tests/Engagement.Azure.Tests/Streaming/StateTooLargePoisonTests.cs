using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// An event that would take its member over the grain-state bound (Engagement:Storage:MaxGrainStateBytes) is refused
/// at every delivery and finally dead-lettered: the poison reason says why (the bound), not only that "its consumer
/// kept failing"; the events of other members on the same queue are applied meanwhile.
/// Timing: a silo stalled about 2.5 s mid-delivery (a loaded CI machine) lets the message come back while its delivery
/// still runs. That used to flake this test: each failure replaced the message's recorded one (the last failure won), so
/// the newer copy's knock-on failure could replace the refusal; and an earlier copy whose renewal was in flight when the
/// message came back lost its event mapping on the renewal's 404, so its refusal was not recorded. The receiver now keeps
/// the message's first failure across receives and the earlier copy's events (MessageLeases, MessageFailures; both forced
/// deterministically in ReceivedAgainFailureTests, the in-flight renewal held by a pipeline policy), so the reason names
/// the refusal in those interleavings, as long as one delivery's refusal is
/// seen before the third receive (two visibility timeouts, 10 s, after the first). The silo is still warmed first (a warm-up
/// member's login applied), so the first delivery does not race the cold start, and the refusal's assertion still carries
/// the cluster's captured log lines to diagnose anything else. Every wait is a poll with <see cref="Deadline"/>.
/// </summary>
[Collection(BoundedStateMemberCollection.Name)]
public sealed class StateTooLargePoisonTests(BoundedStateMemberCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnEventThatTakesItsMemberOverTheStateBoundIsDeadLetteredNamingTheBoundAndItsNeighboursAreApplied()
    {
        var big = Azurite.UniqueName("m");
        var warmUp = Azurite.UniqueName("m");
        var before = Azurite.UniqueName("m");
        var after = Azurite.UniqueName("m");
        var queue = cluster.Queue;

        // Three tags of 64 code points, 63 of them an emoji (the longest a tag may be, ProfilePolicy.MaxTagLength; 386 UTF-16
        // characters with the commas, within a property value's 512): outside the Basic Multilingual Plane, so still escaped
        // in the stored JSON (12 characters each, StoredStateText), about 2,300 stored characters, which take a new member
        // past the 2,048 bound while a member with only a login (about 1,100) stays under it. (Chinese tags no longer do:
        // stored as itself a Chinese character is one.)
        var tags = string.Join(',', Enumerable.Range(0, 3).Select(i => string.Concat(Enumerable.Repeat("\U0001F600", 63)) + (char)('A' + i)));
        var profile = string.Create(System.Globalization.CultureInfo.InvariantCulture, $$$"""
            {"eventId": "e-too-big", "type": "profile_update", "memberId": "{{{big}}}", "occurredAt": "{{{Wire.Now.AddMinutes(-1):O}}}", "properties": {"tags": "{{{tags}}}"}}
            """);
        // A warm-up login first, applied before the oversized event is sent: the oversized event's first delivery then
        // makes a flake much less likely by not racing the silo's cold start (the first member activation and storage
        // calls) against the message's visibility timeout. It is not one of the neighbours checked below.
        await queue.SendMessageAsync(Wire.Login(warmUp, "e-warm-up-" + warmUp));
        await Eventually.ReturnsAsync(cluster.Client.GetGrain<IMemberGrain>(warmUp).GetViewAsync, v => v is not null, Deadline, "the warm-up login applied");
        // The neighbours travel in the same batch as the oversized event, one just before it and one just after.
        await queue.SendMessageAsync(Wire.Login(before, "e-before-" + before));
        await queue.SendMessageAsync(profile);
        await queue.SendMessageAsync(Wire.Login(after, "e-after-" + after));

        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, "e-too-big"), p => p.Count > 0, Deadline, "the oversized event dead-lettered");
        var dead = Assert.Single(poison);
        Assert.Equal((queue.Name, profile), (dead.Queue, dead.Body));
        // The flake this test had: a dead letter without the refusal (the message came back while a delivery still ran);
        // the captured cluster log then says what the silo did meanwhile.
        Assert.True(
            dead.Reason.Contains("GrainStateTooLargeException: Refused to write", StringComparison.Ordinal),
            $"the dead letter does not name the refusal: {dead.Reason}{Environment.NewLine}cluster log:{Environment.NewLine}{string.Join(Environment.NewLine, cluster.Logs.Lines(LogLevel.Information))}");
        // Before: "... failure: event e-too-big: its consumer kept failing for 00:00:00.3000000 (at ...)", and no why.
        Assert.Matches(
            @"^delivery failed \d+ times over \d\d:\d\d:\d\d; first failure: event e-too-big: its consumer kept failing for 00:00:00\.3\d* \(at [^)]+\)(; cause seen at \S+)?: GrainStateTooLargeException: Refused to write .*, over the bound of 2,048 characters \(Engagement:Storage:MaxGrainStateBytes\)\.",
            dead.Reason);
        Assert.True(dead.Reason.Length <= 700, $"the reason is {dead.Reason.Length} characters");
        Assert.Contains($"member/{big}", dead.Reason, StringComparison.Ordinal);

        // The log line travels further than the poison queue: the exception's grain id is masked there.
        var line = await Eventually.ReturnsAsync(() => Task.FromResult(cluster.Logs.Lines(LogLevel.Warning, "Dead-lettered event e-too-big")), l => l.Count > 0, Deadline, "the dead letter logged");
        Assert.Contains("GrainStateTooLargeException: Refused to write", line[0], StringComparison.Ordinal);
        Assert.DoesNotContain(big, line[0], StringComparison.Ordinal);

        // Nothing of it was kept: storage never held the member, and the activation did not adopt the refused state.
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(big).GetViewAsync());
        foreach (var neighbour in new[] { before, after })
        {
            var view = await Eventually.ReturnsAsync(cluster.Client.GetGrain<IMemberGrain>(neighbour).GetViewAsync, v => v is not null, Deadline, "the neighbour's login applied");
            Assert.Equal(neighbour, view!.MemberId);
        }
    }
}

/// <summary>
/// A bound below what a member at every configured cap measures is allowed, and said once at startup (a warning, not a
/// failure). The figure is computed from the configured campaign caps, not the defaults: this silo keeps 300 attributed
/// orders (Engagement:Campaigns:MaxAttributedOrders), so the every-cap member is 440,576 + 100 × 94 = 449,976 stored
/// characters (MemberStateSizes.EveryCapAtOnce), where the defaults' figure would be 440,576.
/// </summary>
[Collection(BoundedStateMemberCollection.Name)]
public sealed class StateBoundStartupWarningTests(BoundedStateMemberCluster cluster)
{
    [Fact]
    public void ASiloWhoseBoundIsBelowAMemberAtEveryConfiguredCapWarnsOnceAtStartupWithTheConfiguredCapsFigure()
    {
        // The defaults' figure (440,576) would be there had the configured caps been ignored.
        var line = Assert.Single(cluster.Logs.Lines(LogLevel.Warning, "Engagement:Storage:MaxGrainStateBytes is 2048 stored characters, below the "), l => l.Contains(" a member with ", StringComparison.Ordinal));
        Assert.True(line.Contains("below the 449976 a member with Engagement:Campaigns:MaxAttributedOrders 300, MaxMembershipsKept 100, every other per-member cap full at its default", StringComparison.Ordinal), line);
        Assert.DoesNotContain(" 440576 ", line, StringComparison.Ordinal);
        Assert.Contains("such a member's writes will be refused", line, StringComparison.Ordinal);
        Assert.Equal(449_976, Engagement.Domain.Members.MemberStateSizes.EveryCapAtOnce(300, 100));
    }
}

/// <summary>
/// On the default bound (480 KiB) the every-cap member fits (MemberStateSizes.EveryCapAtOnceCharacters, 89.6% of it): a silo
/// starts without the warning, which is for bounds whose every-cap member cannot fit.
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class DefaultStateBoundStartupTests(MemberQueueCluster cluster)
{
    [Fact]
    public void ASiloOnTheDefaultBoundDoesNotWarnAboutTheEveryCapMember()
    {
        Assert.NotEmpty(cluster.Logs.Lines(LogLevel.Information));
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, "Engagement:Storage:MaxGrainStateBytes is "));
        Assert.True(Engagement.Domain.Members.MemberStateSizes.EveryCapAtOnceCharacters <= EngagementStorageOptions.DefaultMaxGrainStateBytes * 90 / 100);
    }
}

/// <summary>
/// The real member grains on the project's queue provider and on the engine's Azure storage (Azurite), one silo, with a
/// grain-state bound of 2,048 stored characters and 300 attributed orders kept per member; a failed delivery comes back fast
/// (given up after 300 ms, visible again after 5 s) and is dead-lettered when received more than twice (MaxDequeueCount 2:
/// on the third receive) and at least 4 s old. The visibility timeout is 5 s here, not MemberQueueCluster's 2 s:
/// a held message is renewed at half of it, so a silo stalled (a loaded CI machine) for over a second could let a 2 s message
/// come back while its delivery still ran, and the dead letter could then lack the refusal the test asserts.
/// </summary>
public sealed class BoundedStateMemberCluster() : QueueTableMemberCluster("bnd", "bounded-state-cluster-coupon-secret-0123")
{
    /// <inheritdoc />
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Engagement:Storage:MaxGrainStateBytes"] = "2048";
        // Above the default (200), so the startup warning's every-cap figure is that of the configured caps (StateBoundStartupWarningTests).
        settings["Engagement:Campaigns:MaxAttributedOrders"] = "300";
        settings["Engagement:Ingestion:MaxDequeueCount"] = "2";
        settings["Engagement:Ingestion:PoisonAfter"] = "00:00:04";
        settings["Engagement:Ingestion:VisibilityTimeout"] = "00:00:05";
    }
}

[CollectionDefinition(Name)]
public sealed class BoundedStateMemberCollection : ICollectionFixture<BoundedStateMemberCluster>
{
    public const string Name = "member grains on the queues, a small grain-state bound";
}
