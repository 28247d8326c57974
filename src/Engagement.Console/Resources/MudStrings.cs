namespace Engagement.Console.Resources;

/// <summary>
/// Marker for MudBlazor's own texts in the console's languages (<c>MudStrings.zh-CN.resx</c>), keyed by MudBlazor's
/// <c>LanguageResource</c> names (<c>MudDataGridPager_RowsPerPage</c>…); read by <see cref="Services.ConsoleMudLocalizer"/>.
/// The neutral file is empty: English is MudBlazor's own.
/// </summary>
public sealed class MudStrings
{
}
