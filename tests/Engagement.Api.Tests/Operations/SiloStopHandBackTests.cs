using System.Diagnostics;
using System.Globalization;
using Engagement.Azure.Streaming;
using Engagement.Silo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The stop line waits, bounded by <c>Engagement:Silo:QueueHandBackWait</c> (5 s), for the queue receivers to hand back:
/// it comes after a late receiver's hand-back, and when one never hands back it still comes once the wait ran out,
/// naming that queue. A receiver here is a hand-back the test takes itself, as a receiver that Orleans stopped waiting
/// for; the wait's clock is a fake the test moves.
/// </summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloStopHandBackTests
{
    [Fact]
    public async Task TheStopLineWaitsForAQueueReceiverThatHandsBackLate()
    {
        var host = new HandBackHostFixture();
        await host.InitializeAsync();
        var late = host.Services.GetRequiredService<QueueHandBacks>().Begin("late-queue");

        var stop = host.DisposeAsync().AsTask();
        var waiting = await Poll.UntilAsync(() => Task.FromResult(host.Events.FirstOrDefault(SiloStopLog.IsHandBackWait)), _ => true, 60);
        Assert.Contains("\"late-queue\"", waiting.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // The wait's clock has not moved: nothing but the hand-back can end it.
        Assert.DoesNotContain(host.Events, SiloStopLog.IsStopLine);
        late.Complete();

        var stopLine = await SiloStopLog.StopLineAsync(host);
        await stop;
        var events = host.Events.ToList();
        Assert.True(events.IndexOf(waiting) < events.IndexOf(stopLine));
        Assert.Same(stopLine, events.Last(e => e.Level >= LogEventLevel.Information));
        Assert.Equal(LogEventLevel.Information, stopLine.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop$", stopLine.RenderMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AQueueReceiverThatNeverHandsBackIsNamedOnTheStopLineOnceTheWaitRunsOut()
    {
        var host = new HandBackHostFixture();
        await host.InitializeAsync();
        host.Services.GetRequiredService<QueueHandBacks>().Begin("stuck-queue");

        var stop = host.DisposeAsync().AsTask();
        await Poll.UntilAsync(() => Task.FromResult(host.Events.FirstOrDefault(SiloStopLog.IsHandBackWait)), _ => true, 60);

        // The wait's clock moves half a second per poll: the stop line must not come before the 5 s bound, and must come.
        var step = TimeSpan.FromMilliseconds(500);
        var moved = TimeSpan.Zero;
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        LogEvent? stopLine;
        while ((stopLine = host.Events.FirstOrDefault(SiloStopLog.IsStopLine)) is null)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no stop line within 60 s (the wait's clock moved {moved})");
            host.HandBackClock.Advance(step);
            moved += step;
            await poll.WaitForNextTickAsync();
        }

        await stop;
        Assert.True(moved >= SiloHostOptions.DefaultQueueHandBackWait, $"the stop line came after {moved} on the wait's clock");
        Assert.Same(stopLine, host.Events.Last(e => e.Level >= LogEventLevel.Information));
        Assert.Equal(LogEventLevel.Warning, stopLine.Level);
        Assert.Matches(
            @"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop; the queue receivers of \[[^\]]*""stuck-queue""[^\]]*\] had not handed back within 5\.0 s \(their totals may follow\)$",
            stopLine.RenderMessage(CultureInfo.InvariantCulture));
        var queues = Assert.IsType<SequenceValue>(stopLine.Properties["QueuesNotHandedBack"]);
        Assert.Contains(queues.Elements, q => q is ScalarValue { Value: "stuck-queue" });
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
    /// <summary>The clock the stop line's hand-back wait is measured on; moved only by the test.</summary>
    public FakeTimeProvider HandBackClock { get; } = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton(new QueueHandBacks(HandBackClock)));
    }
}
