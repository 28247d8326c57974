namespace Engagement.Contracts.Events;

/// <summary>One broken rule of an event: the wire field (<c>memberId</c>, <c>properties.birthday</c>, <c>body</c>) and what is wrong.</summary>
public readonly record struct EventValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
