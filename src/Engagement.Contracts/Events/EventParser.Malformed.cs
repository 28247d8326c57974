using System.Globalization;
using System.Text;
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
    public static string MalformedJson(JsonException exception) => MalformedJson(exception, string.Empty);

    /// <summary>
    /// <see cref="MalformedJson(JsonException)"/> for JSON that was read with <paramref name="lead"/> cut from its start (the
    /// whitespace before a message's <c>{</c>): the line and byte are those of the message as sent, lead included.
    /// </summary>
    internal static string MalformedJson(JsonException exception, string lead)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(lead);
        // The parser counts lines by '\n' and bytes from the start of the line, as an editor does.
        var lastBreak = lead.LastIndexOf('\n');
        var line = (exception.LineNumber ?? 0) + lead.AsSpan().Count('\n');
        var bytePosition = (exception.BytePositionInLine ?? 0) + (exception.LineNumber is null or 0 ? Encoding.UTF8.GetByteCount(lead.AsSpan(lastBreak + 1)) : 0);
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
            $"malformed JSON (line {line + 1}, byte {bytePosition + 1}, both counted from 1): {cause.Trim()}");
    }
}
