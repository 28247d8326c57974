using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engagement.Console.Tests;

/// <summary>
/// What the console's text tests share (with <c>using static</c>): the wordings of a resource class as the console reads
/// them (<see cref="Localizer{T}"/>, its .resx files through the same factory type ASP.NET Core registers), and a check run
/// in a language (<see cref="InCulture(string, Action)"/>), as a request the console's request localization accepted runs.
/// </summary>
internal static class Localized
{
    private static readonly ResourceManagerStringLocalizerFactory Factory = new(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);

    /// <summary>The wordings of <typeparamref name="T"/> (e.g. <c>RecordStrings</c>), in whatever culture is current when one is read.</summary>
    public static IStringLocalizer<T> Localizer<T>() => new StringLocalizer<T>(Factory);

    /// <summary>
    /// Runs <paramref name="check"/> with <paramref name="name"/> (e.g. <c>zh-CN</c>, <c>en-US</c>) as both the current UI
    /// culture (which wording) and the current culture (formats), as the console's request localization sets the two
    /// together; the thread's cultures as they were afterwards, even when the check fails.
    /// </summary>
    public static void InCulture(string name, Action check) => InCulture(name, () =>
    {
        check();
        return 0;
    });

    /// <summary>As <see cref="InCulture(string, Action)"/>, returning what <paramref name="read"/> returns.</summary>
    public static T InCulture<T>(string name, Func<T> read)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
            return read();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }
}
