using System.Globalization;

namespace Engagement.Silo;

/// <summary>
/// How the silo's text sinks write the values inside a log message: dates as ISO 8601, everything else in the
/// invariant culture (so <c>45.0 s</c>, never <c>45,0 s</c>, on every machine). Set as the console sink's
/// <c>formatProvider</c> in <c>appsettings.json</c> (<c>Engagement.Silo.LogFormatProvider::Instance, Engagement.Silo</c>)
/// and on the bootstrap logger (Program.cs). It changes only the rendered text: each value stays a property of its
/// own type on the log event, so a JSON formatter still writes the value itself.
/// </summary>
/// <remarks>
/// Without a format in the template (<c>{DueAt}</c>): a <see cref="DateTimeOffset"/> is
/// <c>yyyy-MM-ddTHH:mm:ss.fffzzz</c> (<c>2026-12-04T08:41:07.000+08:00</c>, its own offset); a <see cref="DateTime"/>
/// is the same with <c>Z</c> when it is UTC, with the machine's offset when it is local, and with no offset when its
/// kind is unspecified (it carries none); a <see cref="DateOnly"/> is <c>yyyy-MM-dd</c>. A format given in the
/// template (<c>{DueAt:HH:mm}</c>, <c>{StopSeconds:0.0}</c>) is used as written, in the invariant culture.
/// </remarks>
public sealed class LogFormatProvider : IFormatProvider, ICustomFormatter
{
    /// <summary>Date and time with milliseconds and the value's own UTC offset.</summary>
    public const string DateTimeOffsetFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz";

    /// <summary>A calendar day.</summary>
    public const string DateOnlyFormat = "yyyy-MM-dd";

    /// <summary>
    /// The console line of the bootstrap logger (Program.cs) and the maintenance commands
    /// (<see cref="MaintenanceCommandLine.CreateLogger"/>), as <c>appsettings.json</c> writes it for the silo's console sink:
    /// <c>[2026-12-04 08:41:07.214 +08:00 WRN] Source: message</c>, the machine's local time with its offset.
    /// </summary>
    public const string ConsoleOutputTemplate = "[{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The one instance the sinks are configured with.</summary>
    public static LogFormatProvider Instance { get; } = new();

    private LogFormatProvider()
    {
    }

    /// <summary>This formatter for <see cref="ICustomFormatter"/>; the invariant culture's answer for any other type.</summary>
    public object? GetFormat(Type? formatType) =>
        formatType == typeof(ICustomFormatter) ? this : CultureInfo.InvariantCulture.GetFormat(formatType);

    /// <summary>Writes <paramref name="arg"/> as described on the type; <c>""</c> for null.</summary>
    public string Format(string? format, object? arg, IFormatProvider? formatProvider)
    {
        if (string.IsNullOrEmpty(format))
        {
            switch (arg)
            {
                case DateTimeOffset at:
                    return at.ToString(DateTimeOffsetFormat, CultureInfo.InvariantCulture);
                case DateTime at when at.Kind == DateTimeKind.Utc:
                    return at.ToString("yyyy-MM-ddTHH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                case DateTime at when at.Kind == DateTimeKind.Local:
                    return at.ToString(DateTimeOffsetFormat, CultureInfo.InvariantCulture);
                case DateTime at:
                    return at.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture);
                case DateOnly day:
                    return day.ToString(DateOnlyFormat, CultureInfo.InvariantCulture);
            }
        }

        return arg switch
        {
            null => string.Empty,
            IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
            _ => arg.ToString() ?? string.Empty,
        };
    }
}
