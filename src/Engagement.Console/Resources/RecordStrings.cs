namespace Engagement.Console.Resources;

/// <summary>
/// Marker for the wording of what the engine recorded in English (ledger reasons, audit actions and details):
/// <c>RecordStrings.zh-CN.resx</c>. The neutral <c>RecordStrings.resx</c> is empty on purpose: in English the recorded
/// text is shown as stored.
/// </summary>
public sealed class RecordStrings
{
}
