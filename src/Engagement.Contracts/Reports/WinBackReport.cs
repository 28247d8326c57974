namespace Engagement.Contracts.Reports;

/// <summary>
/// Win-back over a date range (<c>GET /api/v1/reports/winback</c>): members entering each level, won back at
/// each level, gone dormant. Days are UTC calendar days of when each step took effect.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.winback-report.v1")]
public sealed record WinBackReport
{
    [Id(0)] public DateOnly From { get; init; }

    /// <summary>Inclusive.</summary>
    [Id(1)] public DateOnly To { get; init; }

    [Id(2)] public IReadOnlyList<WinBackLevelRow> Levels { get; init; } = [];

    [Id(3)] public int WentDormant { get; init; }

    /// <summary>Won back at any level, over entered L1 or later (members who came back / members the flow reached).</summary>
    [Id(4)] public double WinBackRate { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.winback-level-row.v1")]
public sealed record WinBackLevelRow
{
    [Id(0)] public int Level { get; init; }

    [Id(1)] public int Entered { get; init; }

    [Id(2)] public int WonBack { get; init; }
}
