namespace Engagement.Domain.Members;

/// <summary>
/// The staff member who made a consent change, kept in the member with it (<see cref="MemberState.ConsentChangedBy"/>): the
/// change's audit row (CONTRACT.md §4, <c>GET /audit</c>, <c>member.consent</c>) names them even when it is written late,
/// by a repeat of the change that someone else sent after the first audit write failed.
/// </summary>
/// <param name="Name">The key's name (who), e.g. <c>Li Na</c>.</param>
/// <param name="Role">The key's role: <c>support</c> or <c>admin</c>.</param>
/// <param name="Reason">Why, as the person wrote it; empty when none was given.</param>
public sealed record ConsentActor(string Name, string Role, string Reason);
