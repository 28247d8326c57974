using Azure.Data.Tables;

namespace Engagement.Azure.Storage;

/// <summary>
/// The limits of an Azure Table entity-group transaction: at most <see cref="MaxActions"/> actions and a request body
/// of at most 4 MiB. Azurite enforces neither size nor count the same way, so a transaction that works here can be
/// refused by Azure Storage: large rows (an aggregator's member marks, up to about 0.9 MB each in base64) are split
/// into several transactions of at most <see cref="MaxBytes"/> by a conservative estimate of their JSON.
/// </summary>
internal static class TransactionPayload
{
    /// <summary>Actions in one transaction, at most (Azure Table storage).</summary>
    public const int MaxActions = 100;

    /// <summary>Estimated JSON bytes of one transaction's entities, at most: 4 MiB less room for the multipart envelope.</summary>
    public const long MaxBytes = (3 * 1024 * 1024) + (512 * 1024);

    /// <summary>Room for an entity's envelope in the batch body (headers, URL, keys' annotations).</summary>
    private const int EnvelopeBytes = 1024;

    /// <summary>
    /// An upper estimate of the bytes <paramref name="entity"/> takes in a transaction body: binary as base64, every
    /// string character that JSON may escape as <c>\uXXXX</c> (non-ASCII, control characters, HTML-sensitive ones) at 6.
    /// </summary>
    public static long EstimateBytes(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        long bytes = EnvelopeBytes + Chars(entity.PartitionKey) + Chars(entity.RowKey);
        if (entity is not TableEntity properties)
        {
            return bytes;
        }

        foreach (var (name, value) in properties)
        {
            bytes += Chars(name) + 64 + value switch
            {
                string text => Chars(text),
                byte[] binary => ((binary.Length + 2) / 3) * 4,
                BinaryData data => ((data.ToMemory().Length + 2) / 3) * 4,
                _ => 64,
            };
        }

        return bytes;
    }

    /// <summary>
    /// <paramref name="actions"/> in order, cut into transactions of at most <see cref="MaxActions"/> actions and
    /// <see cref="MaxBytes"/> estimated bytes; an action larger than that alone goes alone (the entity limit of 1 MiB
    /// keeps any one action well below 4 MiB).
    /// </summary>
    /// <param name="actions">The actions, in order.</param>
    /// <param name="last">An action that must go in the last transaction, with the last of <paramref name="actions"/>
    /// (room is kept for it in every one): an aggregator's sums, so that they are never written apart from rows.</param>
    public static IEnumerable<List<TableTransactionAction>> Split(IReadOnlyList<TableTransactionAction> actions, TableTransactionAction? last = null)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var reserved = last is null ? 0 : EstimateBytes(last.Entity);
        var maxActions = last is null ? MaxActions : MaxActions - 1;
        var current = new List<TableTransactionAction>();
        long bytes = 0;
        foreach (var action in actions)
        {
            var size = EstimateBytes(action.Entity);
            if (current.Count > 0 && (current.Count == maxActions || bytes + size + reserved > MaxBytes))
            {
                yield return current;
                current = [];
                bytes = 0;
            }

            current.Add(action);
            bytes += size;
        }

        if (last is not null)
        {
            current.Add(last);
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>True when <paramref name="next"/> may join a transaction of <paramref name="count"/> actions and <paramref name="bytes"/> estimated bytes.</summary>
    public static bool Fits(int count, long bytes, ITableEntity next) =>
        count < MaxActions && bytes + EstimateBytes(next) <= MaxBytes;

    private static long Chars(string? text)
    {
        if (text is null)
        {
            return 4;
        }

        long bytes = 2;
        foreach (var c in text)
        {
            bytes += c is < ' ' or > '~' or '"' or '\\' or '<' or '>' or '&' or '\'' or '+' ? 6 : 1;
        }

        return bytes;
    }
}
