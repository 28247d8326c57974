using System.Globalization;
using System.Text;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>Message bodies as a Java or Node producer would write them: hand-made JSON text.</summary>
internal static class Wire
{
    public static string Purchase(string memberId, string eventId, decimal amount = 268.50m) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "purchase", "memberId": "{{memberId}}",
             "occurredAt": "{{DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(8)):yyyy-MM-ddTHH:mm:sszzz}}",
             "storeId": "S001", "orderId": "O-{{eventId}}", "amount": {{amount}},
             "properties": {"consent": {"sms": false} } }
            """);

    public static string Login(string memberId, string eventId) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "login", "memberId": "{{memberId}}", "occurredAt": "{{DateTimeOffset.UtcNow:O}}"}
            """);

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
