namespace Engagement.Contracts.Events;

/// <summary>What <see cref="EventParser.Parse(string, DateTimeOffset)"/> made of a message: the event, or every broken rule.</summary>
public sealed record EventParseResult
{
    private EventParseResult(EngagementEvent? evt, IReadOnlyList<EventValidationError> errors)
    {
        Event = evt;
        Errors = errors;
    }

    /// <summary>The event when <see cref="IsValid"/>; otherwise null.</summary>
    public EngagementEvent? Event { get; }

    public IReadOnlyList<EventValidationError> Errors { get; }

    public bool IsValid => Event is not null;

    /// <summary>The errors as one line, <c>"memberId: required; amount: …"</c> — the poison queue's <c>reason</c>.</summary>
    public string? ErrorMessage => Errors.Count == 0 ? null : string.Join("; ", Errors);

    internal static EventParseResult Valid(EngagementEvent evt) => new(evt, []);

    internal static EventParseResult Invalid(IReadOnlyList<EventValidationError> errors) => new(null, errors);

    internal static EventParseResult Invalid(string field, string message) => new(null, [new(field, message)]);
}
