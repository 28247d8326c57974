using Engagement.Domain.Lifecycle;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Program;

/// <summary>
/// The loyalty programme's rules, bound from <c>Engagement:Program</c>. Defaults are CONTRACT.md §2.
/// </summary>
public sealed class ProgramOptions
{
    public const string SectionName = "Engagement:Program";

    /// <summary>Win-back, stages, reminder cadence.</summary>
    public LifecycleOptions Lifecycle { get; set; } = new();

    /// <summary>Frequency caps, quiet hours, channels.</summary>
    public TouchOptions Touches { get; set; } = new();
}
