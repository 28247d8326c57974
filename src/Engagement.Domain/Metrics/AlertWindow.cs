using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The local days a rule judged when it raised (or resolved) an alert, stored on the alert itself (CONTRACT.md §5,
/// additive) so the console and <c>GET /alerts</c> show the window the rule looked at, not the one configured now: after
/// an operator changed <c>Engagement:Alerts:ComplaintWindowDays</c> from 7 to 14, a week-old alert was shown with 14 days.
/// Fixed size (a few dates and numbers), so the alert book stays bounded. Alerts stored before the window was recorded
/// have none (null), shown as "window not recorded", never worked out from today's options. Stored with its null
/// properties left out (read back as null, as the windows stored with them written out still are).
/// </summary>
public sealed record AlertWindow
{
    /// <summary>The first judged local day (the region's zone; for the whole programme, days over in every zone).</summary>
    public required DateOnly From { get; init; }

    /// <summary>The last judged local day, inclusive.</summary>
    public required DateOnly To { get; init; }

    /// <summary>Judged local days, <see cref="From"/> to <see cref="To"/> inclusive (e.g. 7 for the complaint rule's default).</summary>
    public required int Days { get; init; }

    /// <summary>The threshold the days were judged against, a fraction (e.g. 0.03 for 3%); null when the rule had none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Threshold { get; init; }

    /// <summary>The first day of the baseline the judged days were compared with (<c>points.liability-jump</c>); null for rules without one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? BaselineFrom { get; init; }

    /// <summary>The last day of that baseline, inclusive; null for rules without one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? BaselineTo { get; init; }

    /// <summary>
    /// <c>points.redemption-band</c>: the band's low end in force for the judgement, a fraction (0.28 for 28%), recorded
    /// because <see cref="Threshold"/> holds one end only (the high end for a rate inside the band), so the band a
    /// resolving rate is back within is the judgement's, not today's options'. Null for other rules and for windows
    /// recorded before the band was.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandLow { get; init; }

    /// <summary><c>points.redemption-band</c>: the band's high end in force for the judgement, a fraction; null as <see cref="BandLow"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BandHigh { get; init; }

    /// <summary>
    /// The window of <paramref name="days"/> (oldest first, consecutive local days); null when there are none, as when a
    /// region has no complete day yet.
    /// </summary>
    /// <param name="days">The judged local days, oldest first.</param>
    /// <param name="threshold">The threshold they were judged against, a fraction.</param>
    public static AlertWindow? Of(IEnumerable<DateOnly> days, double? threshold)
    {
        ArgumentNullException.ThrowIfNull(days);
        var list = days.ToList();
        return list.Count == 0 ? null : new AlertWindow { From = list[0], To = list[^1], Days = list.Count, Threshold = threshold };
    }
}
