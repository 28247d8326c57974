using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Engagement.Console.Services;

/// <summary>
/// MudBlazor's localization hook (<see cref="MudLocalizer"/>, registered in DI by <c>AddEngagementConsole</c>): the
/// texts MudBlazor's components draw themselves (table pager "Rows per page:" and "1-10 of 100", close and scroll
/// buttons, "Required", date picker buttons) in the viewer's language from <c>MudStrings.{culture}.resx</c>. MudBlazor
/// asks only outside English, and falls back to its English text for a key the file lacks.
/// </summary>
public sealed class ConsoleMudLocalizer(IStringLocalizer<MudStrings> texts) : MudLocalizer
{
    /// <inheritdoc />
    public override LocalizedString this[string key] => texts[key];
}
