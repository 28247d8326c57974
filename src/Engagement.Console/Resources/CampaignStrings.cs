namespace Engagement.Console.Resources;

/// <summary>
/// Marker for the campaign pages' texts (create form, campaign header, results panel): <c>CampaignStrings.resx</c>
/// (English) and <c>CampaignStrings.zh-CN.resx</c> (Simplified Chinese).
/// </summary>
public sealed class CampaignStrings
{
}
