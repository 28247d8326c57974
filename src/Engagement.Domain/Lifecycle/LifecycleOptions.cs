namespace Engagement.Domain.Lifecycle;

/// <summary>Lifecycle and win-back rules (CONTRACT.md §2), under <c>Engagement:Program:Lifecycle</c>.</summary>
public sealed class LifecycleOptions
{
}
