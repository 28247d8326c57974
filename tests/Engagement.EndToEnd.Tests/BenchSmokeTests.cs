using System.Text.Json;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests;

/// <summary>
/// The benchmark program still runs: a tiny smoke version of every scenario, as a separate process on the test
/// Azurite, must finish and report numbers. No timing is asserted — the benchmark itself is never a timed test.
/// </summary>
[Trait("Machine", "Alone")] // needs the machine to itself: the bench smoke runs every scenario in a process of its own, CPU-bound
[ExpectedSeconds(75)]
public sealed class BenchSmokeTests
{
    private static readonly string[] Scenarios = ["ingest-durable", "ingest-memory", "footprint", "lifecycle", "campaign", "campaign-coupons", "two-silo", "backlog", "console-search", "metrics-ratio"];

    [Fact]
    public async Task SmokeRunReportsEveryScenarioWithNumbersAboveZero()
    {
        var output = Directory.CreateTempSubdirectory("bench-smoke-");
        try
        {
            var (exitCode, log) = await RunBenchAsync(output.FullName);
            Assert.True(exitCode == 0, $"the bench exited with {exitCode}:\n{log}");
            Assert.True(File.Exists(Path.Combine(output.FullName, "latest.md")), "latest.md was not written");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "latest.json")));
            var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray()
                .ToDictionary(s => s.GetProperty("name").GetString()!, StringComparer.Ordinal);
            Assert.Equal(Scenarios.Order(StringComparer.Ordinal), scenarios.Keys.Order(StringComparer.Ordinal));

            foreach (var (name, scenario) in scenarios)
            {
                var status = scenario.GetProperty("status").GetString();
                if (status == "not-available")
                {
                    // Only a scenario whose feature has not landed may say so, and it must say why.
                    Assert.Equal("campaign", name);
                    Assert.False(string.IsNullOrWhiteSpace(scenario.GetProperty("message").GetString()));
                    continue;
                }

                Assert.True(status == "ok", $"{name}: {status} ({scenario.GetProperty("message")})\n{log}");
                var metrics = scenario.GetProperty("metrics").EnumerateArray().ToList();
                Assert.NotEmpty(metrics);
                foreach (var metric in metrics.Where(m => m.GetProperty("positive").GetBoolean()))
                {
                    var value = metric.GetProperty("value").GetDouble();
                    Assert.True(value > 0, $"{name}: {metric.GetProperty("name").GetString()} is {value}");
                }
            }

            Assert.True(json.RootElement.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    // A hang guard, not a timing assertion: a smoke run takes well under a minute on a quiet machine.
    private static Task<(int ExitCode, string Log)> RunBenchAsync(string outputDirectory) => DotnetCommand.RunAsync(
        LocateBenchDll(),
        ["--smoke", "--out", outputDirectory],
        new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString },
        TimeSpan.FromMinutes(10));

    /// <summary>The built bench program of this test build's configuration.</summary>
    internal static string LocateBenchDll()
    {
        // tests/Engagement.EndToEnd.Tests/bin/{Configuration}/net10.0 → bench/Engagement.Bench/bin/{Configuration}/net10.0
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var dll = Path.Combine(root, "bench", "Engagement.Bench", "bin", configuration, framework, "Engagement.Bench.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the bench first: {dll} is missing");
    }
}
