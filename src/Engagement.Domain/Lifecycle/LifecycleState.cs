namespace Engagement.Domain.Lifecycle;

/// <summary>Lifecycle stage and win-back progress of one member.</summary>
public sealed class LifecycleState
{
}
