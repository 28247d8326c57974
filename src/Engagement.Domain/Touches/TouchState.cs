namespace Engagement.Domain.Touches;

/// <summary>Recent touch decisions of one member and what the caps count.</summary>
public sealed class TouchState
{
}
