using System.Text.RegularExpressions;

namespace Engagement.Azure.Storage;

/// <summary>Azure's naming rules for tables and queues, checked at startup rather than at first use.</summary>
internal static partial class StorageNaming
{
    public static bool IsValidTableName(string? name) => name is not null && TableName().IsMatch(name) &&
        !name.Equals("tables", StringComparison.OrdinalIgnoreCase);

    public static bool IsValidQueueName(string? name) => name is not null && QueueName().IsMatch(name) &&
        !name.Contains("--", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
