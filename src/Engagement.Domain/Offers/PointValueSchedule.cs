using System.Globalization;
using Engagement.Domain.Program;

namespace Engagement.Domain.Offers;

/// <summary>
/// The point value over time (CONTRACT.md §2): CNY per point, anchored at <see cref="ProgramOptions.PointValueAnchor"/>
/// (0.0100) and adjustable within ±20% of it (0.0080–0.0120) by finance. Each change takes effect from its own instant
/// and is kept, so a redemption or a liability report uses the value in force at its time.
/// </summary>
public sealed record PointValueSchedule
{
    /// <summary>Changes kept; the oldest are forgotten first (the base value stays).</summary>
    public const int MaxKept = 500;

    /// <summary>
    /// How far ahead of now a change may take effect: 366 days, one programme year. Points lots live 12 months
    /// (CONTRACT.md §2), so a value scheduled further ahead prices no point earned or held today; such an instant is a
    /// typo (2062 for 2026) or a placeholder (9999-12-31) that would sit in the history as a change nobody meant.
    /// </summary>
    public static readonly TimeSpan MaxLead = TimeSpan.FromDays(366);

    /// <summary>Lowest allowed value, CNY per point.</summary>
    public static decimal Min => ProgramOptions.PointValueAnchor * (1 - ProgramOptions.PointValueTolerance);

    /// <summary>Highest allowed value, CNY per point.</summary>
    public static decimal Max => ProgramOptions.PointValueAnchor * (1 + ProgramOptions.PointValueTolerance);

    /// <summary>The value before any change: configured <c>Engagement:Program:PointValue</c>.</summary>
    public decimal BaseValue { get; init; } = ProgramOptions.PointValueAnchor;

    /// <summary>Changes, by effective instant, oldest first.</summary>
    public IReadOnlyList<PointValueChange> Changes { get; init; } = [];

    /// <summary>The value in force at <paramref name="at"/> (CNY per point).</summary>
    public decimal ValueAt(DateTimeOffset at) =>
        Changes.LastOrDefault(c => c.EffectiveFrom <= at)?.Value ?? BaseValue;

    /// <summary>Why <paramref name="value"/> cannot be set, or null: outside ±20% of the anchor, or more than 4 decimals.</summary>
    public static string? Check(decimal value)
    {
        if (value < Min || value > Max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"must be within ±20% of the anchor {ProgramOptions.PointValueAnchor:0.0000} CNY per point ({Min:0.0000}–{Max:0.0000})");
        }

        return decimal.Round(value, 6) != value ? "at most 6 decimals" : null;
    }

    /// <summary>
    /// The schedule with <paramref name="change"/> added (a change with the same id again changes nothing), or the
    /// refusal. A change may not take effect before <paramref name="now"/> (history is not rewritten) nor more than
    /// <see cref="MaxLead"/> after it; each refusal names <c>effectiveFrom</c>.
    /// </summary>
    public (PointValueSchedule Schedule, string? Refusal) Set(PointValueChange change, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (Changes.Any(c => c.ChangeId == change.ChangeId))
        {
            return (this, null);
        }

        if (Check(change.Value) is { } refusal)
        {
            return (this, refusal);
        }

        if (change.EffectiveFrom < now - TimeSpan.FromMinutes(1))
        {
            return (this, "effectiveFrom must not be in the past");
        }

        if (change.EffectiveFrom - now > MaxLead)
        {
            return (this, string.Create(CultureInfo.InvariantCulture, $"effectiveFrom must be at most {MaxLead.TotalDays:0} days ahead (a programme year: points live 12 months)"));
        }

        var changes = Changes.Append(change).OrderBy(c => c.EffectiveFrom).ThenBy(c => c.SetAt).ToList();
        var schedule = this;
        if (changes.Count > MaxKept)
        {
            // Fold the oldest change into the base value: later instants see the same value as before.
            schedule = this with { BaseValue = changes[0].Value };
            changes.RemoveAt(0);
        }

        return (schedule with { Changes = changes }, null);
    }
}

/// <summary>One change of the point value: id (idempotency), CNY per point, from when, when set, by whom, why.</summary>
public sealed record PointValueChange(string ChangeId, decimal Value, DateTimeOffset EffectiveFrom, DateTimeOffset SetAt, string SetBy, string Reason);
