namespace Engagement.Console.Resources;

/// <summary>Marker for the programme pages' texts: <c>ProgrammeStrings.resx</c> (English) and <c>ProgrammeStrings.zh-CN.resx</c>.</summary>
public sealed class ProgrammeStrings
{
}
