using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>
/// What a dead letter's log line may name of the refused event (docs/publishing-events.md, dead letters): its
/// <c>eventId</c> and <c>memberId</c> when the body is a JSON object holding them as strings, each masked as a poison
/// reason shows refused text (<see cref="RefusedTextPrefix"/>: digits <c>#</c>, codes by their shape, at most 24
/// characters), since log lines travel further than the poison queue; <c>-</c> when not known.
/// </summary>
public static class DeadLetterTrace
{
    /// <summary>The masked <c>eventId</c> and <c>memberId</c> of <paramref name="body"/>, each <c>-</c> when it names none.</summary>
    public static (string EventId, string MemberId) IdsOf(string? body)
    {
        if (body is null || body.AsSpan().TrimStart().Length == 0 || body.AsSpan().TrimStart()[0] != '{')
        {
            return ("-", "-");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return (Masked(document.RootElement, "eventId"), Masked(document.RootElement, "memberId"));
        }
        catch (JsonException)
        {
            return ("-", "-");
        }
    }

    /// <summary>
    /// <paramref name="reason"/> for the log line: wherever it holds the <c>eventId</c> or <c>memberId</c> that
    /// <paramref name="body"/> names, that id masked as <see cref="IdsOf"/> masks it (a consumer's exception message, e.g.
    /// <c>GrainStateTooLargeException</c>'s <c>member/{memberId}</c> or an Orleans timeout's target grain, names the member
    /// in full); the poison message keeps the reason as it is.
    /// </summary>
    public static string MaskIdsIn(string reason, string? body)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var (eventId, memberId) = RawIdsOf(body);
        foreach (var id in new[] { memberId, eventId })
        {
            if (id is { Length: > 0 } && reason.Contains(id, StringComparison.Ordinal))
            {
                reason = reason.Replace(id, RefusedTextPrefix.Of(id), StringComparison.Ordinal);
            }
        }

        return reason;
    }

    private static (string? EventId, string? MemberId) RawIdsOf(string? body)
    {
        if (body is null || body.AsSpan().TrimStart().Length == 0 || body.AsSpan().TrimStart()[0] != '{')
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return (Raw(document.RootElement, "eventId"), Raw(document.RootElement, "memberId"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Raw(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Masked(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return "-";
        }

        try
        {
            return value.GetString() is { Length: > 0 } text ? RefusedTextPrefix.Of(text) : "-";
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (e.g. "\ud800"): not text, and the very reason such an event is dead-lettered.
            return "-";
        }
    }
}
