using Engagement.Domain.Members;

namespace Engagement.Domain.Lifecycle;

/// <summary>Stage changes and win-back, decided from <c>now</c>.</summary>
public static class LifecyclePolicy
{
    /// <summary>Called by the member engine for every applied event that counts as activity (all but complaint).</summary>
    public static void OnActivity(MemberState state, DateTimeOffset at, DateTimeOffset now)
    {
        _ = state;
        _ = at;
        _ = now;
    }
}
