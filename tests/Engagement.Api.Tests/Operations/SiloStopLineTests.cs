using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>A stopped silo says so last: one Information line once Orleans and the other services have stopped.</summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloStopLineTests
{
    [Fact]
    public async Task AStoppedSiloEndsOnAnInformationLineNamingHowLongTheStopTook()
    {
        var host = new SiloStopHostFixture();
        await host.InitializeAsync();
        Assert.Contains(host.Events, e => e.MessageTemplate.Text.StartsWith("Engagement silo {ServiceId}/{ClusterId} up", StringComparison.Ordinal));

        await host.DisposeAsync();

        // Orleans hands a queue receiver a bounded wait to give back its leases and does not hold the host's stop for
        // it, so on a loaded machine the receiver's totals line ("Stopped receiving from …") can land just after the stop
        // line (seen once in a clean-clone CI). Every other line must come before it.
        var last = host.Events.Last(e => e.Level >= LogEventLevel.Information
            && !e.MessageTemplate.Text.StartsWith("Stopped receiving from {Queue}", StringComparison.Ordinal));
        var text = last.RenderMessage(CultureInfo.InvariantCulture);
        Assert.Equal(LogEventLevel.Information, last.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop$", text);
    }
}

/// <summary>The operations host with a sink of its own, started and stopped by the one test.</summary>
public class SiloStopHostFixture : OperationsHostFixture
{
    /// <summary>Every event the host's Serilog logger wrote, in order.</summary>
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(new Sink(Events)));
    }

    private sealed class Sink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
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

        await Record.ExceptionAsync(async () => await host.DisposeAsync());

        // The entry point logs the failure after the factory's stop returns: poll for it, with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!host.Events.Any(e => e.Level == LogEventLevel.Error && e.MessageTemplate.Text.Contains("stop failed", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // Orleans hands a queue receiver a bounded wait to give back its leases and does not hold the host's stop for
        // it, so on a loaded machine the receiver's totals line ("Stopped receiving from …") can land just after the stop
        // line (seen once in a clean-clone CI). Every other line must come before it.
        var last = host.Events.Last(e => e.Level >= LogEventLevel.Information
            && !e.MessageTemplate.Text.StartsWith("Stopped receiving from {Queue}", StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Error, last.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stop failed after \d+\.\d s$", last.RenderMessage(CultureInfo.InvariantCulture));
        Assert.DoesNotContain(host.Events, e => e.Level == LogEventLevel.Information && e.MessageTemplate.Text.Contains("stopped: its services took", StringComparison.Ordinal));
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
