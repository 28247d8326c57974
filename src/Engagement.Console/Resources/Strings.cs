namespace Engagement.Console.Resources;

/// <summary>Marker for the console's texts: <c>Strings.resx</c> (English) and <c>Strings.zh-CN.resx</c> (Simplified Chinese).</summary>
public sealed class Strings
{
}
