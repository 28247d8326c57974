using Azure.Data.Tables;
using Engagement.Azure.Storage;

namespace Engagement.Azure.Backup;

/// <summary>
/// Writes one table's rows for <see cref="TableRestore"/>, several transactions at once: the rows come sorted by
/// partition key, so consecutive rows of one partition make a transaction (at most 100 rows, under 4 MiB, one
/// partition, as Azure requires) and up to <c>parallelism</c> transactions (so as many partitions) are in flight. The
/// journal's position (<see cref="RestoreJournal.LinesDone"/>) only moves past a line once its transaction and every
/// earlier one succeeded, so a resume from it never skips a row.
/// </summary>
internal sealed class RestoreTableWriter(TableClient client, int parallelism, RestoreJournal journal, CancellationToken cancellationToken)
{
    private readonly Queue<(Task Task, long Line, string PartitionKey, int Rows)> _inFlight = new();
    private List<TableTransactionAction> _batch = new(TransactionPayload.MaxActions);
    private long _batchBytes;
    private long _batchLastLine;
    private bool _advance = true;

    /// <summary>Rows whose transactions succeeded (in order) in this run.</summary>
    public long Written { get; private set; }

    /// <summary>Adds the row read from line <paramref name="line"/> (1-based) of the table's blob.</summary>
    public async Task AddAsync(TableEntity entity, long line)
    {
        if (_batch.Count > 0 && (!TransactionPayload.Fits(_batch.Count, _batchBytes, entity) || _batch[0].Entity.PartitionKey != entity.PartitionKey))
        {
            await SubmitAsync();
        }

        _batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
        _batchBytes += TransactionPayload.EstimateBytes(entity);
        _batchLastLine = line;
    }

    /// <summary>Writes what is left and waits for every transaction; the journal then stands at the last line added.</summary>
    public async Task CompleteAsync()
    {
        await SubmitAsync();
        while (_inFlight.Count > 0)
        {
            await CompleteOldestAsync();
        }
    }

    /// <summary>
    /// After a failure: waits for the transactions still in flight (their failures are not rethrown) and moves the
    /// journal only past those that succeeded without a failed one before them.
    /// </summary>
    public async Task AbortAsync()
    {
        while (_inFlight.Count > 0)
        {
            try
            {
                await CompleteOldestAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Its rows are written again by the resume; the first failure is the one the restore reports.
            }
        }
    }

    private async Task SubmitAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var actions = _batch;
        _inFlight.Enqueue((client.SubmitTransactionAsync(actions, cancellationToken), _batchLastLine, actions[0].Entity.PartitionKey, actions.Count));
        _batch = new List<TableTransactionAction>(TransactionPayload.MaxActions);
        _batchBytes = 0;
        while (_inFlight.Count >= parallelism)
        {
            await CompleteOldestAsync();
        }
    }

    private async Task CompleteOldestAsync()
    {
        var (task, line, partitionKey, rows) = _inFlight.Dequeue();
        try
        {
            await task;
        }
        catch
        {
            _advance = false;
            throw;
        }

        if (_advance)
        {
            Written += rows;
            journal.LinesDone = line;
            journal.LastPartitionKey = partitionKey;
        }
    }
}
