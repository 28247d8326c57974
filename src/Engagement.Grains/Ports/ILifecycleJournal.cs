using Engagement.Contracts.Reports;

namespace Engagement.Grains.Ports;

/// <summary>
/// Append-only journal of win-back steps (level entered, won back, gone dormant) across all members, for the
/// win-back report. Appends are idempotent by (member, kind, level, episode), so a retried append counts once.
/// </summary>
public interface ILifecycleJournal
{
    Task AppendAsync(string memberId, IReadOnlyList<LifecycleJournalEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// The steps whose instant falls on a local day in <paramref name="zone"/> (the programme's, CONTRACT.md §5) from
    /// <paramref name="from"/> to <paramref name="to"/>, inclusive.
    /// </summary>
    Task<WinBackReport> ReportAsync(DateOnly from, DateOnly to, TimeZoneInfo zone, CancellationToken cancellationToken = default);
}

/// <summary>One win-back step of one member.</summary>
/// <param name="At">When the step took effect by the rules.</param>
/// <param name="Kind"><c>winback.level</c>, <c>winback.won</c>, <c>winback.dormant</c>, <c>winback.dormant.withdrawn</c> or <c>winback.won.withdrawn</c>.</param>
/// <param name="Level">The level entered, or the level won back at.</param>
/// <param name="EpisodeStartedAt">When the member's quiet reached the win-back threshold; tells episodes apart.</param>
public sealed record LifecycleJournalEntry(DateTimeOffset At, string Kind, int? Level, DateTimeOffset? EpisodeStartedAt)
{
    // The journal's kinds are the domain's transition kinds (one owner, Engagement.Domain.Lifecycle).
    public const string LevelEntered = Engagement.Domain.Lifecycle.LifecycleTransitionKinds.LevelEntered;
    public const string WonBack = Engagement.Domain.Lifecycle.LifecycleTransitionKinds.WonBack;
    public const string Dormant = Engagement.Domain.Lifecycle.LifecycleTransitionKinds.Dormant;

    /// <summary>Takes back a <see cref="Dormant"/> step of the same episode (late activity showed the member was won back); same <c>At</c>, so the same report day.</summary>
    public const string DormantWithdrawn = Engagement.Domain.Lifecycle.LifecycleTransitionKinds.DormantWithdrawn;

    /// <summary>Takes back a <see cref="WonBack"/> step of the same episode at that level (late activity showed the member came back at an earlier one); same <c>At</c>.</summary>
    public const string WonBackWithdrawn = Engagement.Domain.Lifecycle.LifecycleTransitionKinds.WonBackWithdrawn;

    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { LevelEntered, WonBack, Dormant, DormantWithdrawn, WonBackWithdrawn };

    /// <summary>The idempotency key within a member.</summary>
    public string Key => $"{Kind}|{Level?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}|{EpisodeStartedAt?.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";

    /// <summary>The local day of <paramref name="at"/> in <paramref name="zone"/>.</summary>
    public static DateOnly LocalDay(DateTimeOffset at, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone ?? throw new ArgumentNullException(nameof(zone))).DateTime);

    public static WinBackReport Summarize(DateOnly from, DateOnly to, IEnumerable<(string Kind, int? Level)> rows)
    {
        var entered = new int[4];
        var won = new int[4];
        var dormant = 0;
        foreach (var (kind, level) in rows)
        {
            var l = Math.Clamp(level ?? 0, 0, 3);
            switch (kind)
            {
                case LevelEntered: entered[l]++; break;
                case WonBack: won[l]++; break;
                case Dormant: dormant++; break;
                case DormantWithdrawn: dormant--; break;
                case WonBackWithdrawn: won[l]--; break;
            }
        }

        var reached = entered[1] + entered[2] + entered[3] - Math.Min(entered[2], entered[1]) - Math.Min(entered[3], entered[2]);
        return new WinBackReport
        {
            From = from,
            To = to,
            Levels = [.. Enumerable.Range(1, 3).Select(l => new WinBackLevelRow { Level = l, Entered = entered[l], WonBack = Math.Max(0, won[l]) })],
            WentDormant = Math.Max(0, dormant),
            WinBackRate = reached == 0 ? 0 : Math.Round((double)(Math.Max(0, won[1]) + Math.Max(0, won[2]) + Math.Max(0, won[3])) / reached, 4),
        };
    }
}
