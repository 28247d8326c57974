using System.Globalization;
using Engagement.Azure.Streaming;
using Engagement.Silo;
using Engagement.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The stop line waits, bounded by <c>Engagement:Silo:QueueHandBackWait</c> (5 s), for the queue receivers to hand back:
/// it comes after a late receiver's hand-back, and when one never hands back it still comes once the wait ran out,
/// naming that queue. A receiver here is a hand-back the test takes itself, as a receiver that Orleans stopped waiting
/// for, beside the silo's own receivers, each of whose totals line must come before the stop line. The wait's clock is a
/// fake the test steps by hand, once the wait's bound is armed on it: real time never decides where the bound falls.
/// </summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloStopHandBackTests
{
    [Fact]
    public async Task TheStopLineWaitsForAQueueReceiverThatHandsBackLate()
    {
        var host = new HandBackHostFixture();
        await host.InitializeAsync();
        var handBacks = host.Services.GetRequiredService<QueueHandBacks>();
        var late = handBacks.Begin("late-queue");
        await HandBackHostFixture.ReceiversStartedAsync(host);

        var stop = host.DisposeAsync().AsTask();
        await HandBackHostFixture.WaitingOnlyForAsync(host, handBacks, "late-queue");
        var waiting = Assert.Single(host.Events, SiloStopLog.IsHandBackWait);
        Assert.Contains("\"late-queue\"", waiting.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // The wait's clock has not moved: nothing but the hand-back can end it.
        Assert.DoesNotContain(host.Events, SiloStopLog.IsStopLine);
        late.Complete();

        var stopLine = await SiloStopLog.StopLineAsync(host);
        await stop;
        var events = host.Events.ToList();
        Assert.True(events.IndexOf(waiting) < events.IndexOf(stopLine));
        HandBackHostFixture.AssertEachReceiverHandedBackBefore(events, stopLine);
        Assert.Same(stopLine, events.Last(e => e.Level >= LogEventLevel.Information));
        Assert.Equal(LogEventLevel.Information, stopLine.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop$", stopLine.RenderMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AQueueReceiverThatNeverHandsBackIsNamedOnTheStopLineOnceTheWaitRunsOut()
    {
        var host = new HandBackHostFixture();
        await host.InitializeAsync();
        var handBacks = host.Services.GetRequiredService<QueueHandBacks>();
        handBacks.Begin("stuck-queue");
        await HandBackHostFixture.ReceiversStartedAsync(host);

        var stop = host.DisposeAsync().AsTask();
        await HandBackHostFixture.WaitingOnlyForAsync(host, handBacks, "stuck-queue");

        // One tick short of the bound the wait is still armed and there is no stop line; the last tick ends it. The clock
        // fires a timer inside Advance, so "still armed" is decided here, not by how soon the stop's thread runs.
        var bound = SiloHostOptions.DefaultQueueHandBackWait;
        host.HandBackClock.Advance(bound - TimeSpan.FromTicks(1));
        Assert.Equal(1, host.HandBackClock.Waiting);
        Assert.DoesNotContain(host.Events, SiloStopLog.IsStopLine);
        host.HandBackClock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(0, host.HandBackClock.Waiting);

        var stopLine = await SiloStopLog.StopLineAsync(host);
        await stop;
        var events = host.Events.ToList();
        HandBackHostFixture.AssertEachReceiverHandedBackBefore(events, stopLine);
        Assert.Same(stopLine, events.Last(e => e.Level >= LogEventLevel.Information));
        Assert.Equal(LogEventLevel.Warning, stopLine.Level);
        Assert.Matches(
            @"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop; the queue receivers of \[""stuck-queue""\] had not handed back within 5\.0 s \(their totals may follow\)$",
            stopLine.RenderMessage(CultureInfo.InvariantCulture));
        var queues = Assert.IsType<SequenceValue>(stopLine.Properties["QueuesNotHandedBack"]);
        Assert.Equal("stuck-queue", Assert.IsType<ScalarValue>(Assert.Single(queues.Elements)).Value);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:01")]
    public void AHandBackWaitOutOfBoundsIsRefusedNamingTheKey(string value)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Engagement:Silo:QueueHandBackWait", (string?)value)]);
        builder.Services.AddEngagementSiloHost(builder.Configuration);

        // The host reads its options as it is built: a bad value stops it there.
        var refused = Assert.Throws<OptionsValidationException>(() => builder.Build().Dispose());
        Assert.Contains("Engagement:Silo:QueueHandBackWait", refused.Message, StringComparison.Ordinal);
        Assert.Contains("must be from 00:00:00 to 00:01:00", refused.Message, StringComparison.Ordinal);
    }
}

/// <summary>The stop-line host whose queue hand-backs are waited for on a fake clock (<see cref="HandBackClock"/>).</summary>
public sealed class HandBackHostFixture : SiloStopHostFixture
{
    /// <summary>The clock the stop line's hand-back wait is measured on (its bound armed on it counts in <see cref="WaitedClock.Waiting"/>); moved only by the test.</summary>
    internal WaitedClock HandBackClock { get; } = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Until the silo's own queue receivers run (Orleans' balancer hands the silo its queues shortly after the
    /// start): without them, "each receiver's totals before the stop line" would hold of none.</summary>
    internal static Task ReceiversStartedAsync(HandBackHostFixture host) =>
        Poll.UntilAsync(() => Task.FromResult<int?>(host.Events.Count(SiloStopLog.IsReceiverStart)), n => n > 0, 60);

    /// <summary>
    /// Until the stopping silo waits, its bound armed on <see cref="HandBackClock"/>, for no receiver but the test's own
    /// <paramref name="queue"/> (the silo's receivers hand back in the background, as slowly as the host runs).
    /// </summary>
    internal static Task WaitingOnlyForAsync(HandBackHostFixture host, QueueHandBacks handBacks, string queue) =>
        Poll.UntilAsync(
            () => Task.FromResult(host.HandBackClock.Waiting == 1 && handBacks.Pending.SequenceEqual([queue]) ? queue : null),
            _ => true,
            60);

    /// <summary>Every queue receiver the silo started logged its totals (one line per start, per queue) before <paramref name="stopLine"/>.</summary>
    internal static void AssertEachReceiverHandedBackBefore(IReadOnlyList<LogEvent> events, LogEvent stopLine)
    {
        var stopAt = events.ToList().IndexOf(stopLine);
        Assert.True(stopAt >= 0, "the stop line is not among the events");
        static string QueueOf(LogEvent e) => e.Properties["Queue"].ToString();
        var started = events.Where(SiloStopLog.IsReceiverStart).GroupBy(QueueOf).ToDictionary(g => g.Key, g => g.Count());
        var totalsBefore = events.Take(stopAt).Where(SiloStopLog.IsReceiverTotals).GroupBy(QueueOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(started);
        Assert.Equal(started.OrderBy(p => p.Key, StringComparer.Ordinal), totalsBefore.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton(new QueueHandBacks(HandBackClock)));
    }
}
