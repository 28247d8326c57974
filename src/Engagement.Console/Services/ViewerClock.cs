using System.Globalization;
using Microsoft.JSInterop;

namespace Engagement.Console.Services;

/// <summary>
/// Shows instants in the viewer's time zone (the browser's, read once per circuit); UTC until it is known.
/// </summary>
public sealed class ViewerClock(IJSRuntime js)
{
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;

    /// <summary>The IANA id the browser reported, or <c>UTC</c>.</summary>
    public string ZoneId => _zone.Id;

    /// <summary>The viewer's zone (<see cref="ZoneId"/>), for a rule that needs the local date, such as a coupon's last valid day.</summary>
    public TimeZoneInfo Zone => _zone;

    /// <summary>Reads the browser's zone (call after the first interactive render); true when it changed.</summary>
    public async Task<bool> LoadAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string>("eval", "Intl.DateTimeFormat().resolvedOptions().timeZone");
            if (!string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.Id != _zone.Id)
            {
                _zone = zone;
                return true;
            }
        }
        catch (JSException)
        {
            // Keep UTC: the page says which zone it shows.
        }
        catch (InvalidOperationException)
        {
            // Prerendering: no browser yet.
        }

        return false;
    }

    /// <summary><c>yyyy-MM-dd HH:mm</c> in the viewer's zone; empty for null.</summary>
    public string Format(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, _zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> in the viewer's zone: an instant a record names (an audit detail's), to the second.</summary>
    public string FormatSeconds(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, _zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary><c>yyyy-MM-dd</c> in the viewer's zone.</summary>
    public string FormatDate(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, _zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
