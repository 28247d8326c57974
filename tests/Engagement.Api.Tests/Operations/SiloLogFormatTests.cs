using System.Globalization;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Dates inside the silo's log messages read as ISO 8601 on its console, whatever the machine's culture: the console
/// sink exactly as the silo's <c>appsettings.json</c> configures it (and the bootstrap logger's provider), while the
/// event still carries the date itself for a JSON formatter.
/// </summary>
[Collection(ConsoleOutputCollection.Name)]
public sealed class SiloLogFormatTests
{
    private static readonly DateTimeOffset DueAt = new(2026, 12, 4, 8, 41, 7, 214, TimeSpan.FromHours(8));

    [Fact]
    public void TheConsoleLineWritesDatesAsIso8601AndNumbersInTheInvariantCulture()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryRoot(), "silo", "Engagement.Silo", "appsettings.json"), optional: false)
            .Build();
        var events = new List<LogEvent>();
        var marker = "logformat-" + Guid.NewGuid().ToString("N")[..8];
        var console = new StringWriter();
        var original = System.Console.Out;
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A culture that writes neither dates nor decimals the invariant way: only the provider can make them so.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            System.Console.SetOut(console);
            using (var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration).WriteTo.Sink(new Sink(events)).CreateLogger())
            {
                logger.ForContext(Constants.SourceContextPropertyName, "Engagement.Silo.Test").Information(
                    "{Marker} due at {DueAt} (UTC {DueAtUtc}) for day {Day}, took {Seconds:0.0} s",
                    marker,
                    DueAt,
                    DueAt.UtcDateTime,
                    DateOnly.FromDateTime(DueAt.Date),
                    45.0);
            }
        }
        finally
        {
            System.Console.SetOut(original);
            CultureInfo.CurrentCulture = culture;
        }

        var line = Assert.Single(console.ToString().Split('\n'), l => l.Contains(marker, StringComparison.Ordinal));
        Assert.Contains(" due at 2026-12-04T08:41:07.214+08:00 (UTC 2026-12-04T00:41:07.214Z) for day 2026-12-04, took 45.0 s", line, StringComparison.Ordinal);

        // The structured value is the date itself, not the rendered text.
        var logged = Assert.Single(events);
        Assert.Equal(DueAt, Assert.IsType<ScalarValue>(logged.Properties["DueAt"]).Value);
        var json = new StringWriter();
        new JsonFormatter().Format(logged, json);
        Assert.Contains("\"DueAt\":\"2026-12-04T08:41:07.2140000+08:00\"", json.ToString(), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engagement.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Engagement.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class Sink(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Add(logEvent);
    }
}

/// <summary>Tests that redirect the process's console: nothing else runs beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleOutputCollection
{
    public const string Name = "console output";
}
