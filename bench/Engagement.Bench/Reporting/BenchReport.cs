using System.Text.Json.Serialization;

namespace Engagement.Bench.Reporting;

/// <summary>Everything one run measured: the machine, the command, and each scenario's metrics.</summary>
internal sealed class BenchReport
{
    /// <summary>When the run happened (wall clock), a record for readers; no scenario's outcome depends on it.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The instant the engine's clock showed when each scenario started (<c>--start</c>).</summary>
    public required DateTimeOffset EngineStart { get; init; }

    public DateTimeOffset FinishedAt { get; set; }

    public required string CommandLine { get; init; }

    public required bool Smoke { get; init; }

    public required MachineInfo Machine { get; init; }

    public List<ScenarioResult> Scenarios { get; } = [];
}

/// <summary>One scenario: <see cref="Status"/> is <c>ok</c>, <c>not-available</c>, <c>skipped</c> or <c>failed</c>.</summary>
internal sealed class ScenarioResult
{
    public const string Ok = "ok";
    public const string NotAvailable = "not-available";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    public required string Name { get; init; }

    public string Status { get; set; } = Ok;

    public string? Message { get; set; }

    public double Seconds { get; set; }

    public List<Metric> Metrics { get; } = [];

    /// <summary>Free-form numbers that explain the metrics (per-stage timings, counts, settings).</summary>
    public SortedDictionary<string, double> Details { get; } = new(StringComparer.Ordinal);

    /// <summary>Notes for the reader: how something was measured, what limited it.</summary>
    public List<string> Notes { get; } = [];

    public Metric Add(string name, double value, string unit, bool positive = true) => Add(new Metric
    {
        Name = name,
        Value = value,
        Unit = unit,
        Positive = positive,
    });

    public Metric Add(Metric metric)
    {
        Metrics.Add(metric);
        return metric;
    }
}

/// <summary>One measured number, optionally with its target and whether the target was met.</summary>
internal sealed class Metric
{
    public required string Name { get; init; }

    public required double Value { get; init; }

    public required string Unit { get; init; }

    /// <summary>The target as a person reads it, e.g. <c>≥ 50000</c>.</summary>
    public string? Target { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Met { get; init; }

    /// <summary>True when a working run must produce a value above zero (the smoke test checks these).</summary>
    public bool Positive { get; init; } = true;
}
