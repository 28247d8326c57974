using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// A graceful stop of the only silo while members still hold metric contributions to send (their earlier sends
/// failed): nothing is written at Error, and after a restart programme health counts every event exactly once.
/// </summary>
public sealed class ProgrammeShutdownTests
{
    private const string Region = "stop";
    private const int Failing = 1_000_000;

    private static readonly DateOnly Day = DateOnly.FromDateTime(ProgrammeSilo.Start.ToOffset(TimeSpan.FromHours(8)).DateTime);

    [Fact]
    public async Task AGracefulStopSendsThePendingContributionsBeforeMembersDeactivateAndLogsNoError()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        await silo.StartAsync();
        var members = await LoginWhileSendsFailAsync(silo, "flush");

        // The aggregators take contributions again, but no member has another event that would send its own.
        silo.FailSinkApplies = 0;
        await silo.StopAsync();
        Assert.Empty(logs.Lines(LogLevel.Error));

        // Sent on the way out: counted before any member is activated again, once each.
        await silo.StartAsync();
        Assert.Equal(members.Count, await DauAsync(silo));
        await Task.WhenAll(members.Select(m => silo.Grains.GetGrain<IMemberGrain>(m).GetViewAsync()));
        Assert.Equal(members.Count, await DauAsync(silo));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task ContributionsThatCannotBeSentOnAStopStayInTheOutboxesAndCountOnceAfterTheRestart()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        await silo.StartAsync();
        var members = await LoginWhileSendsFailAsync(silo, "left");

        // The sends keep failing through the stop: the members leave them for their next activation, said once.
        await silo.StopAsync();
        Assert.Empty(logs.Lines(LogLevel.Error));
        var left = logs.Lines(LogLevel.Information, "metric contributions", "next activation");
        Assert.Single(left);
        Assert.Contains($"{members.Count} members", left[0], StringComparison.Ordinal);

        silo.FailSinkApplies = 0;
        await silo.StartAsync();
        Assert.Equal(0, await DauAsync(silo));
        await Task.WhenAll(members.Select(m => silo.Grains.GetGrain<IMemberGrain>(m).GetViewAsync()));
        await Eventually.TrueAsync(async () => await DauAsync(silo) == members.Count, TimeSpan.FromSeconds(30), "the members re-emit on activation");
        await Task.WhenAll(members.Select(m => silo.Grains.GetGrain<IMemberGrain>(m).GetViewAsync()));
        Assert.Equal(members.Count, await DauAsync(silo));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    /// <summary>A login for each of 30 members while every send to the aggregators fails; returns once each member's send failed.</summary>
    private static async Task<List<string>> LoginWhileSendsFailAsync(ProgrammeSilo silo, string prefix)
    {
        var members = Enumerable.Range(0, 30).Select(i => $"{prefix}-m{i}").ToList();
        silo.FailSinkApplies = Failing;
        await Task.WhenAll(members.Select(m => silo.Grains.GetGrain<IMemberGrain>(m).ApplyEventAsync(new EngagementEvent
        {
            EventId = "login-" + m,
            Type = "login",
            MemberId = m,
            OccurredAt = ProgrammeSilo.Start.AddMinutes(-5),
            RegionId = Region,
        })));
        await Eventually.TrueAsync(() => Failing - silo.FailSinkApplies >= members.Count, TimeSpan.FromSeconds(30), "every member's background send failed");
        return members;
    }

    private static async Task<long> DauAsync(ProgrammeSilo silo) =>
        (await silo.Reader.GetDaysAsync(Region, Day, Day)).Single().Counters.GetValueOrDefault(MetricNames.Dau);
}
