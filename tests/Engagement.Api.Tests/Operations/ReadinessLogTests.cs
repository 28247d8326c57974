using System.Collections.Concurrent;
using Engagement.Api.Hosting;
using Engagement.Azure.Hosting;
using Engagement.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Readiness is logged once per change, never per probe: the first state as Information (a silo still joining is no
/// fault), then one Warning on one line (check, description, exception type and message, no stack trace) when it turns
/// Unhealthy, one Information when it recovers. Driven directly, with a pinned clock; the storage check against a
/// frozen Azurite; the health-check service's per-probe Error dropped by the silo's Serilog filter.
/// </summary>
public sealed class ReadinessLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnOutageIsOneWarningNamingTheCheckAndTheMessageAndItsEndOneInformation()
    {
        var clock = new FakeTimeProvider(Start);
        var logger = new ListLogger();
        var log = new ReadinessLog(logger, clock);

        log.Observe(Report(("cluster", HealthStatus.Unhealthy, "The silo is Joining, not Active.", null)));
        clock.Advance(TimeSpan.FromSeconds(4));
        log.Observe(Report());
        log.Observe(Report());
        Assert.Equal(
            new[] { (LogLevel.Information, "Readiness at start: Unhealthy, not ready yet: cluster: The silo is Joining, not Active."),
             (LogLevel.Information, "Readiness turned Healthy 4.0 s after the first probe") },
            logger.Lines());

        logger.Clear();
        var frozen = new TaskCanceledException("A task was canceled.\n   (the socket read)");
        for (var probe = 0; probe < 5; probe++)
        {
            log.Observe(Report(("storage", HealthStatus.Unhealthy, "Azure Storage did not answer within 3 s.", frozen)));
            clock.Advance(TimeSpan.FromSeconds(12.5));
        }

        log.Observe(Report());
        log.Observe(Report());

        Assert.Equal(
            new[] { (LogLevel.Warning, "Readiness turned Unhealthy: storage: Azure Storage did not answer within 3 s. (TaskCanceledException: A task was canceled. (the socket read)); /health/ready answers 503 until it recovers"),
             (LogLevel.Information, "Readiness recovered after 62.5 s: /health/ready answers 200 again") },
            logger.Lines());
        Assert.All(logger.Entries, e => Assert.Null(e.Exception));
    }

    [Fact]
    public void AHealthyStartIsOneInformationAndNoWarning()
    {
        var logger = new ListLogger();
        var log = new ReadinessLog(logger, new FakeTimeProvider(Start));

        log.Observe(Report());
        log.Observe(Report());

        Assert.Equal(new[] { (LogLevel.Information, "Readiness at start: Healthy") }, logger.Lines());
    }

    [Theory]
    [InlineData("ShuttingDown")]
    [InlineData("Stopping")]
    public void AGracefulStopIsAnInformationNotAWarning(string siloStatus)
    {
        var logger = new ListLogger();
        var log = new ReadinessLog(logger, new FakeTimeProvider(Start));
        log.Observe(Report());

        // What ClusterHealthCheck answers while Orleans stops the silo (every rolling deploy).
        log.Observe(ReportWith(("cluster", HealthStatus.Unhealthy, $"The silo is {siloStatus} in its Orleans cluster, not Active.", null, siloStatus)));
        log.Observe(ReportWith(("cluster", HealthStatus.Unhealthy, $"The silo is {siloStatus} in its Orleans cluster, not Active.", null, siloStatus)));

        Assert.Equal(
            new[] { (LogLevel.Information, "Readiness at start: Healthy"),
             (LogLevel.Information, $"Readiness turned Unhealthy: the silo is stopping (cluster: The silo is {siloStatus} in its Orleans cluster, not Active.); /health/ready answers 503 until it is gone") },
            logger.Lines());
    }

    [Fact]
    public void AStoppingSiloWhoseStorageAlsoFailsOrADeadSiloIsStillAWarning()
    {
        var logger = new ListLogger();
        var log = new ReadinessLog(logger, new FakeTimeProvider(Start));
        log.Observe(Report());
        log.Observe(ReportWith(
            ("cluster", HealthStatus.Unhealthy, "The silo is Stopping.", null, "Stopping"),
            ("storage", HealthStatus.Unhealthy, "Azure Storage did not answer within 3 s.", null, null)));
        log.Observe(Report());
        log.Observe(ReportWith(("cluster", HealthStatus.Unhealthy, "The silo is Dead.", null, "Dead")));

        Assert.Equal(
            new[] { LogLevel.Information, LogLevel.Warning, LogLevel.Information, LogLevel.Warning },
            logger.Lines().Select(l => l.Item1));
    }

    [Fact]
    public async Task TheStorageCheckOnAFrozenAzuriteIsOneWarningNamingStorageAndWhyAndOneInformationWhenItAnswers()
    {
        await using var storage = new FreezableStorage(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")
            ?? throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite)."));
        var check = new StorageHealthCheck(
            Options.Create(new EngagementStorageOptions { ConnectionString = storage.ConnectionString }),
            Options.Create(new StorageHealthCheckOptions { StorageTimeout = TimeSpan.FromSeconds(2) }));
        var clock = new FakeTimeProvider(Start);
        var logger = new ListLogger();
        var log = new ReadinessLog(logger, clock);
        log.Observe(Report()); // the baseline: ready

        storage.Freeze();
        try
        {
            // Frozen, every probe fails (nothing answers, whatever the machine's load): the first one is the change.
            log.Observe(await ProbeAsync(check));
            log.Observe(await ProbeAsync(check));
        }
        finally
        {
            storage.Thaw();
        }

        clock.Advance(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync<HealthReport>(
            async () =>
            {
                var report = await ProbeAsync(check);
                log.Observe(report);
                return report;
            },
            r => r.Status == HealthStatus.Healthy,
            seconds: 60);

        Assert.Collection(
            logger.Entries,
            baseline => Assert.Equal((LogLevel.Information, "Readiness at start: Healthy"), (baseline.Level, baseline.Message)),
            warning =>
            {
                Assert.Equal(LogLevel.Warning, warning.Level);
                Assert.Null(warning.Exception);
                // The check's own deadline, or the SDK's network timeout of the same length: either names storage, the
                // exception's type and its message, on one line.
                Assert.Matches(
                    @"^Readiness turned Unhealthy: storage: Azure Storage (did not answer within 2 s|is unreachable .+)\. \(\w+: [^\n]+\); /health/ready answers 503 until it recovers$",
                    warning.Message);
            },
            recovered => Assert.Equal((LogLevel.Information, "Readiness recovered after 30.0 s: /health/ready answers 200 again"), (recovered.Level, recovered.Message)));
    }

    [Fact]
    public async Task TheHealthCheckServicesPerProbeLineIsDroppedAndACheckThatThrowsIsStillAnError()
    {
        var events = new ConcurrentQueue<LogEvent>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerilog((provider, configuration) => configuration.ReadFrom.Services(provider).WriteTo.Sink(new Sink(events)));
        services.AddHealthChecks()
            .AddEngagementClusterCheck("ready") // registers the filter as the silo does (its check is not run here)
            .AddCheck("storage", () => HealthCheckResult.Unhealthy("Azure Storage did not answer within 3 s.", new TaskCanceledException()))
            .AddCheck("defect", () => throw new InvalidOperationException("a bug"));
        await using (var provider = services.BuildServiceProvider())
        {
            var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name != "cluster");
            Assert.Equal(HealthStatus.Unhealthy, report.Entries["storage"].Status);
        }

        var service = events.Where(e => e.Properties.TryGetValue("SourceContext", out var s) && s is ScalarValue { Value: HealthProbeLogFilter.Category }).ToList();
        // Without the filter: an Error per probe for storage (HealthCheckEnd, with the exception and its stack trace).
        Assert.DoesNotContain(service, e => e.Level >= LogEventLevel.Warning && Id(e) == HealthProbeLogFilter.HealthCheckEndEventId);
        // A check that throws is a defect: still an Error with its exception (HealthCheckError).
        Assert.Contains(service, e => e.Level == LogEventLevel.Error && Id(e) != HealthProbeLogFilter.HealthCheckEndEventId && e.Exception is InvalidOperationException);
    }

    private static int? Id(LogEvent e) =>
        e.Properties.TryGetValue("EventId", out var id) && id is StructureValue s
            && s.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int value }
            ? value
            : null;

    private static async Task<HealthReport> ProbeAsync(StorageHealthCheck check)
    {
        var result = await check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("storage", check, null, null) });
        return new HealthReport(
            new Dictionary<string, HealthReportEntry> { ["storage"] = new(result.Status, result.Description, TimeSpan.Zero, result.Exception, result.Data) },
            TimeSpan.Zero);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status, string Description, Exception? Exception)[] failing) =>
        ReportWith([.. failing.Select(f => (f.Name, f.Status, f.Description, f.Exception, (string?)null))]);

    private static HealthReport ReportWith(params (string Name, HealthStatus Status, string Description, Exception? Exception, string? SiloStatus)[] failing)
    {
        var entries = new Dictionary<string, HealthReportEntry>
        {
            ["storage"] = new(HealthStatus.Healthy, "Azure Storage answered.", TimeSpan.Zero, null, null),
            ["cluster"] = new(HealthStatus.Healthy, "The silo is Active.", TimeSpan.Zero, null, null),
        };
        foreach (var (name, status, description, exception, siloStatus) in failing)
        {
            entries[name] = new(status, description, TimeSpan.Zero, exception, siloStatus is null ? null : new Dictionary<string, object> { ["siloStatus"] = siloStatus });
        }

        return new HealthReport(entries, TimeSpan.Zero);
    }

    private sealed class Sink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }

    private sealed class ListLogger : ILogger<ReadinessLog>
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries => [.. _entries];

        public List<(LogLevel, string)> Lines() => [.. _entries.Select(e => (e.Level, e.Message))];

        public void Clear() => _entries.Clear();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
