namespace Engagement.Domain.Touches;

/// <summary>Touch caps, quiet hours and channels (CONTRACT.md §2), under <c>Engagement:Program:Touches</c>.</summary>
public sealed class TouchOptions
{
}
