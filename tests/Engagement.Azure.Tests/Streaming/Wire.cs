using System.Globalization;
using System.Text;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>Message bodies as a Java or Node producer would write them: hand-made JSON text.</summary>
internal static class Wire
{
    /// <summary>The engine's "now" in the stream fixtures (a pinned clock): Monday 2026-11-23 12:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    public static string Purchase(string memberId, string eventId, decimal amount = 268.50m, int minutesAgo = 1) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "purchase", "memberId": "{{memberId}}",
             "occurredAt": "{{Now.AddMinutes(-minutesAgo).ToOffset(TimeSpan.FromHours(8)):yyyy-MM-ddTHH:mm:sszzz}}",
             "storeId": "S001", "orderId": "O-{{eventId}}", "amount": {{amount}},
             "properties": {"consent": {"sms": false} } }
            """);

    /// <summary>A refund of the order <see cref="Purchase"/> wrote for <paramref name="purchaseEventId"/>.</summary>
    public static string Refund(string memberId, string eventId, string purchaseEventId, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "refund", "memberId": "{{memberId}}",
             "occurredAt": "{{Now.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-ddTHH:mm:sszzz}}", "orderId": "O-{{purchaseEventId}}", "amount": {{amount}} }
            """);

    public static string Login(string memberId, string eventId) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "login", "memberId": "{{memberId}}", "occurredAt": "{{Now.AddMinutes(-1):O}}"}
            """);

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
