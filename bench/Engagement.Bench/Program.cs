using System.Diagnostics;
using System.Globalization;
using Engagement.Bench;
using Engagement.Bench.Reporting;
using Engagement.Bench.Scenarios;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException ex)
{
    if (ex.Message != "usage")
    {
        Console.Error.WriteLine(ex.Message);
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return ex.Message == "usage" ? 0 : 2;
}

var report = new BenchReport
{
    StartedAt = DateTimeOffset.UtcNow,
    EngineStart = options.Start,
    CommandLine = "Engagement.Bench " + string.Join(' ', args),
    Smoke = options.Smoke,
    Machine = MachineInfo.Capture(),
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Engagement.Bench run {options.RunId}: {report.Machine.Cores} cores, {report.Machine.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, {report.Machine.Dotnet}, load {report.Machine.LoadAverageAtStart}"));

var failed = false;
foreach (var name in options.Scenarios)
{
    var result = new ScenarioResult { Name = name };
    report.Scenarios.Add(result);
    Console.WriteLine($"== {name}");
    var clock = Stopwatch.StartNew();
    try
    {
        await (name switch
        {
            BenchOptions.IngestDurable => IngestDurableScenario.RunAsync(options, result),
            BenchOptions.IngestMemory => IngestMemoryScenario.RunWithWarmUpAsync(options, result),
            BenchOptions.Footprint => FootprintScenario.RunAsync(options, result),
            BenchOptions.Lifecycle => LifecycleSweepScenario.RunAsync(options, result),
            BenchOptions.Campaign => CampaignScenario.RunAsync(options, result),
            BenchOptions.CampaignCoupons => CampaignScenario.RunAsync(options, result, coupons: true),
            BenchOptions.ConsoleSearch => ConsoleSearchScenario.RunAsync(options, result),
            BenchOptions.Backlog => BacklogScenario.RunAsync(options, result),
            BenchOptions.TwoSilo => TwoSiloScenario.RunAsync(options, result),
            BenchOptions.MetricsRatio => MetricsRatioScenario.RunAsync(options, result),
            BenchOptions.Rules => RulesScenario.RunAsync(options, result),
            _ => throw new InvalidOperationException(name),
        });
    }
#pragma warning disable CA1031 // One failing scenario is reported and the others still run.
    catch (Exception ex)
#pragma warning restore CA1031
    {
        failed = true;
        result.Status = ScenarioResult.Failed;
        result.Message = ex.GetType().Name + ": " + ex.Message + (ex.InnerException is { } inner ? " — " + inner.GetType().Name + ": " + inner.Message : "");
        Console.WriteLine($"  FAILED: {ex}");
    }

    result.Seconds = clock.Elapsed.TotalSeconds;
    if (result.Status != ScenarioResult.Ok)
    {
        Console.WriteLine($"  {result.Status}: {result.Message}");
    }

    foreach (var metric in result.Metrics)
    {
        var met = metric.Met switch { true => "  (target met)", false => "  (target MISSED)", null => "" };
        Console.WriteLine($"  {metric.Name}: {ResultWriter.Format(metric.Value)} {metric.Unit}{(metric.Target is null ? "" : "  target " + metric.Target)}{met}");
    }

    // Each scenario starts from a settled heap.
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
}

report.FinishedAt = DateTimeOffset.UtcNow;
report.Machine.LoadAverageAtEnd = MachineInfo.LoadAverage();
var (json, markdown) = ResultWriter.Write(report, options.OutDirectory);
Console.WriteLine();
Console.WriteLine(ResultWriter.ToMarkdown(report));
Console.WriteLine($"wrote {json} and {markdown}");
return failed ? 1 : 0;
