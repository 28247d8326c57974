using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The request line's level through the real host (Program.cs's <c>UseSerilogRequestLogging</c>): the level function
/// (<c>RequestLogLevel</c>, tested alone in <see cref="RequestLogLevelTests"/>) is what the host uses, so a
/// <c>/health/ready</c> probe is written at Debug and a member request at Information. The middleware was given no
/// logger, so it wrote through Serilog's static logger, which the host keeps as its console-only bootstrap logger
/// (<c>preserveStaticLogger</c>): the request lines bypassed the configured sinks, levels and filters, and this test
/// saw none of them. The host's Serilog events are
/// captured by a sink, with the request logger's minimum level lowered to Debug so that the probe's line is written at
/// all (at the shipped Information it is dropped, which is the point).
/// </summary>
[Collection(RequestLogHostCollection.Name)]
public sealed class RequestLogWiringTests
{
    [Fact]
    public async Task AReadinessProbeIsLoggedAtDebugAndAMemberRequestAtInformation()
    {
        await using var host = new RequestLogHostFixture();
        await host.InitializeAsync();
        using var probe = host.Client(null);
        using var support = host.Client(OperationsHostFixture.SupportKey);

        var memberPath = "/api/v1/members/reqlog-" + Guid.NewGuid().ToString("N")[..8];
        var ready = await probe.GetAsync(new Uri("health/ready", UriKind.Relative));
        var member = await support.GetAsync(new Uri(memberPath[1..], UriKind.Relative));

        var probeLine = await RequestLineAsync(host, "/health/ready");
        var memberLine = await RequestLineAsync(host, memberPath);
        Assert.Equal(LogEventLevel.Debug, probeLine.Level);
        Assert.Equal((int)ready.StatusCode, Assert.IsType<ScalarValue>(probeLine.Properties["StatusCode"]).Value);
        Assert.True((int)member.StatusCode < 500, $"the member request answered {member.StatusCode}");
        Assert.Equal(LogEventLevel.Information, memberLine.Level);
    }

    /// <summary>The request line of <paramref name="path"/>: written once the response has completed, so it is polled for.</summary>
    private static Task<LogEvent> RequestLineAsync(RequestLogHostFixture host, string path) =>
        Poll.UntilAsync(
            () => Task.FromResult(host.Events.FirstOrDefault(e =>
                e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod} {RequestPath} responded", StringComparison.Ordinal)
                && e.Properties.TryGetValue("RequestPath", out var value) && value is ScalarValue { Value: string logged } && logged == path)),
            _ => true,
            30);
}

/// <summary>The operations host with a sink of its own and its request logger at Debug, started by the one test.</summary>
public sealed class RequestLogHostFixture : OperationsHostFixture
{
    /// <summary>Every event the host's Serilog logger wrote, in order.</summary>
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Debug");
        builder.ConfigureServices(services => services.AddLogEventQueue(Events));
    }
}

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RequestLogHostCollection
{
    public const string Name = "request log host";
}
