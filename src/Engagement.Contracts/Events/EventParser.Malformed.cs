using System.Globalization;
using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>What JSON that cannot be parsed is told, on the queue and over HTTP alike.</summary>
public static partial class EventParser
{
    /// <summary>
    /// <c>malformed JSON (line 1, byte 41, both counted from 1): '}' is invalid after a value. Expected either ',', '}', or ']'.</c>:
    /// where (line and byte within the line, counted from 1 as an editor counts) and the parser's cause, without its own
    /// 0-based position. The poison queue's reason and <c>POST /api/v1/events</c>'s problem say the same.
    /// </summary>
    public static string MalformedJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var cause = exception.Message;
        foreach (var tail in (ReadOnlySpan<string>)[" LineNumber:", " Path:"])
        {
            var at = cause.IndexOf(tail, StringComparison.Ordinal);
            if (at >= 0)
            {
                cause = cause[..at];
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"malformed JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}, both counted from 1): {cause.Trim()}");
    }
}
