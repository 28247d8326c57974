namespace Engagement.Azure.Hosting;

/// <summary>Names the grains and the host agree on.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider name for <c>[PersistentState(name, StorageNames.GrainState)]</c>.</summary>
    public const string GrainState = "engagement";
}
