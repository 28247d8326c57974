using System.Text.Json;

namespace Engagement.Contracts.Events;

/// <summary>Writes an event as the queue message body of CONTRACT.md §1 (what <see cref="EventParser"/> reads back).</summary>
public static class EventSerializer
{
    public static string ToJson(EngagementEvent evt) => JsonSerializer.Serialize(evt, EventJson.Options);
}
