using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Engagement.Bench.Reporting;

/// <summary>Writes <c>latest.json</c> and <c>latest.md</c> (a table people paste into docs/performance.md).</summary>
internal static class ResultWriter
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static (string JsonPath, string MarkdownPath) Write(BenchReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var jsonPath = Path.Combine(directory, "latest.json");
        var mdPath = Path.Combine(directory, "latest.md");
        WriteAtomically(jsonPath, JsonSerializer.Serialize(report, Json) + "\n");
        WriteAtomically(mdPath, ToMarkdown(report));
        return (jsonPath, mdPath);
    }

    public static string ToMarkdown(BenchReport report)
    {
        var md = new StringBuilder();
        var m = report.Machine;
        md.AppendLine(report.Smoke ? "# Benchmark (smoke run — tiny sizes, numbers not meaningful)" : "# Benchmark results");
        md.AppendLine();
        md.AppendLine(Invariant($"- Run: {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {(report.FinishedAt - report.StartedAt).TotalSeconds:F0} s"));
        md.AppendLine(Invariant($"- Command: `{report.CommandLine}`"));
        md.AppendLine(Invariant($"- Engine clock at each scenario's start: {report.EngineStart:yyyy-MM-ddTHH:mm:ssZ} (`--start`)"));
        md.AppendLine(Invariant($"- Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, {m.Os}"));
        md.AppendLine(Invariant($"- Runtime: {m.Dotnet}, Orleans {m.Orleans}, {m.Gc} GC"));
        md.AppendLine(Invariant($"- Load average (1/5/15 min) at start: {m.LoadAverageAtStart}; at end: {m.LoadAverageAtEnd}"));
        md.AppendLine();
        md.AppendLine("| scenario | metric | value | target | met? |");
        md.AppendLine("| --- | --- | ---: | --- | --- |");
        foreach (var scenario in report.Scenarios)
        {
            if (scenario.Status != ScenarioResult.Ok)
            {
                md.AppendLine(Invariant($"| {scenario.Name} | {scenario.Status} | | | {Escape(scenario.Message ?? "")} |"));
            }

            foreach (var metric in scenario.Metrics)
            {
                var met = metric.Met switch { true => "yes", false => "**no**", null => "" };
                md.AppendLine(Invariant($"| {scenario.Name} | {Escape(metric.Name)} | {Format(metric.Value)} {metric.Unit} | {Escape(metric.Target ?? "")} | {met} |"));
            }
        }

        foreach (var scenario in report.Scenarios.Where(s => s.Notes.Count > 0 || s.Details.Count > 0))
        {
            md.AppendLine();
            md.AppendLine(Invariant($"## {scenario.Name}"));
            md.AppendLine();
            foreach (var note in scenario.Notes)
            {
                md.AppendLine("- " + note);
            }

            if (scenario.Details.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("<details><summary>details</summary>");
                md.AppendLine();
                md.AppendLine("| detail | value |");
                md.AppendLine("| --- | ---: |");
                foreach (var (key, value) in scenario.Details)
                {
                    md.AppendLine(Invariant($"| {Escape(key)} | {Format(value)} |"));
                }

                md.AppendLine();
                md.AppendLine("</details>");
            }
        }

        return md.ToString();
    }

    public static string Format(double value) =>
        Math.Abs(value) >= 100 || value == Math.Floor(value)
            ? value.ToString("#,0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 1
                ? value.ToString("#,0.0#", CultureInfo.InvariantCulture)
                : value.ToString("0.0###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
