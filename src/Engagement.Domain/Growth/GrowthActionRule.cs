namespace Engagement.Domain.Growth;

/// <summary>Growth for a behaviour event (share, review, login) and how many a local day count.</summary>
public sealed class GrowthActionRule
{
    public long Growth { get; set; }

    /// <summary>Events of this type per local calendar day that earn growth; later ones are still counted as behaviour.</summary>
    public int DailyCap { get; set; }
}
