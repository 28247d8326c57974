using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// A stopped silo says so last: one Information line once Orleans and the other services have stopped and every queue
/// receiver has handed back (its "Stopped receiving from …" totals logged before it).
/// </summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloStopLineTests
{
    [Fact]
    public async Task AStoppedSiloEndsOnAnInformationLineNamingHowLongTheStopTook()
    {
        var host = new SiloStopHostFixture();
        await host.InitializeAsync();
        Assert.Contains(host.Events, e => e.MessageTemplate.Text.StartsWith("Engagement silo {ServiceId}/{ClusterId} up", StringComparison.Ordinal));

        // The queue receivers must be running for their hand-back to be tested: Orleans' balancer hands the silo its
        // queues shortly after the start.
        await Poll.UntilAsync(() => Task.FromResult<int?>(host.Events.Count(SiloStopLog.IsReceiverStart)), n => n > 0, 60);

        await host.DisposeAsync();

        var stopLine = await SiloStopLog.StopLineAsync(host);
        var last = host.Events.Last(e => e.Level >= LogEventLevel.Information);
        Assert.Same(stopLine, last);
        Assert.Equal(LogEventLevel.Information, last.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop$", last.RenderMessage(CultureInfo.InvariantCulture));

        // Every receiver that started handed back, its totals line before the stop line.
        Assert.Equal(host.Events.Count(SiloStopLog.IsReceiverStart), host.Events.Count(SiloStopLog.IsReceiverTotals));
    }
}

/// <summary>The lines of a silo's stop these tests look for.</summary>
internal static class SiloStopLog
{
    public static bool IsReceiverStart(LogEvent e) => e.MessageTemplate.Text.StartsWith("Receiving events from queue {Queue}", StringComparison.Ordinal);

    public static bool IsReceiverTotals(LogEvent e) => e.MessageTemplate.Text.StartsWith("Stopped receiving from {Queue}", StringComparison.Ordinal);

    public static bool IsHandBackWait(LogEvent e) => e.MessageTemplate.Text.StartsWith("Waiting up to {HandBackWaitSeconds:0.0} s for the queue receivers", StringComparison.Ordinal);

    public static bool IsStopLine(LogEvent e) => e.MessageTemplate.Text.StartsWith("Engagement silo {ServiceId}/{ClusterId} stop", StringComparison.Ordinal);

    /// <summary>The stop line (stopped or stop failed): the entry point writes it after the factory's stop returned, so it is polled for.</summary>
    public static async Task<LogEvent> StopLineAsync(SiloStopHostFixture host, int seconds = 60) =>
        await Poll.UntilAsync(() => Task.FromResult(host.Events.FirstOrDefault(IsStopLine)), _ => true, seconds);
}

/// <summary>The operations host with a sink of its own, started and stopped by the one test.</summary>
public class SiloStopHostFixture : OperationsHostFixture
{
    /// <summary>Every event the host's Serilog logger wrote, in order.</summary>
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogEventQueue(Events));
    }
}

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SiloStopHostCollection
{
    public const string Name = "silo stop host";
}

/// <summary>A stop that fails ends on an Error naming how long it ran, never on the Information "stopped" line.</summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloFailedStopLineTests
{
    [Fact]
    public async Task AFailedStopEndsOnAnErrorAndNeverSaysStopped()
    {
        var host = new FailingStopHostFixture();
        await host.InitializeAsync();

        // As in the success test: the receivers must be running, or the count of their totals below compares 0 with 0.
        await Poll.UntilAsync(() => Task.FromResult<int?>(host.Events.Count(SiloStopLog.IsReceiverStart)), n => n > 0, 60);

        await Record.ExceptionAsync(async () => await host.DisposeAsync());

        var stopLine = await SiloStopLog.StopLineAsync(host);
        var last = host.Events.Last(e => e.Level >= LogEventLevel.Information);
        Assert.Same(stopLine, last);
        Assert.Equal(LogEventLevel.Error, last.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stop failed after \d+\.\d s$", last.RenderMessage(CultureInfo.InvariantCulture));
        Assert.DoesNotContain(host.Events, e => e.Level == LogEventLevel.Information && e.MessageTemplate.Text.Contains("stopped: its services took", StringComparison.Ordinal));
        Assert.Equal(host.Events.Count(SiloStopLog.IsReceiverStart), host.Events.Count(SiloStopLog.IsReceiverTotals));
    }
}

/// <summary>The stop-line host with one more hosted service, whose stop throws.</summary>
public sealed class FailingStopHostFixture : SiloStopHostFixture
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddHostedService<ThrowingOnStop>());
    }

    private sealed class ThrowingOnStop : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("stop refused (test)");
    }
}
