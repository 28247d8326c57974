namespace Engagement.Grains.Hosting;

/// <summary>Names grains use for their storage; hosting registers providers under them.</summary>
public static class GrainStorageNames
{
    /// <summary>The grain-state storage provider of member (and campaign) grains.</summary>
    public const string State = "engagement";

    /// <summary>Orleans' pub-sub store name (needed by the streaming runtime even with implicit subscriptions).</summary>
    public const string PubSub = "PubSubStore";
}
