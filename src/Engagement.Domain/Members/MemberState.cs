using Engagement.Domain.Lifecycle;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Members;

/// <summary>
/// Everything the engine keeps live about one member. Plain properties so System.Text.Json
/// round-trips it (grain storage writes it as readable JSON). Bounded by design.
/// </summary>
public sealed class MemberState
{
    public string MemberId { get; set; } = "";

    /// <summary>Lifecycle stage and win-back progress (Domain/Lifecycle).</summary>
    public LifecycleState Lifecycle { get; set; } = new();

    /// <summary>Recent touch decisions and the counters the caps read (Domain/Touches).</summary>
    public TouchState Touches { get; set; } = new();
}
