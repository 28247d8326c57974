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

        var last = host.Events.Last(e => e.Level >= LogEventLevel.Information);
        var text = last.RenderMessage(CultureInfo.InvariantCulture);
        Assert.Equal(LogEventLevel.Information, last.Level);
        Assert.Matches(@"^Engagement silo ""[^""]+""/""[^""]+"" stopped: its services took \d+\.\d s to stop$", text);
    }
}

/// <summary>The operations host with a sink of its own, started and stopped by the one test.</summary>
public sealed class SiloStopHostFixture : OperationsHostFixture
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
