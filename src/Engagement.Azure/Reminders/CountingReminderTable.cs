namespace Engagement.Azure.Reminders;

/// <summary>
/// Reminder table decorator that counts the writes the reminder service sends to storage in
/// <see cref="ReminderTableStats"/> (and on the <c>engagement.reminders.table_writes</c> counter). The engine's
/// target is close to zero reminder writes per purchase event; this is how the benchmark and tests see it. The
/// table underneath is the official Azure one (<c>Microsoft.Orleans.Reminders.AzureStorage</c>).
/// </summary>
/// <param name="inner">The reminder table that does the work.</param>
/// <param name="stats">Where writes are counted.</param>
public sealed class CountingReminderTable(IReminderTable inner, ReminderTableStats stats) : IReminderTable
{
    /// <summary>The decorated table.</summary>
    public IReminderTable Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    private readonly ReminderTableStats _stats = stats ?? ReminderTableStats.Shared;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => Inner.StartAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken = default) => Inner.StopAsync(cancellationToken);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) => Inner.ReadRows(grainId);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => Inner.ReadRows(begin, end);

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => Inner.ReadRow(grainId, reminderName);

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        _stats.RecordUpsert();
        return Inner.UpsertRow(entry);
    }

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        _stats.RecordRemove();
        return Inner.RemoveRow(grainId, reminderName, eTag);
    }

    /// <inheritdoc />
    public Task TestOnlyClearTable() => Inner.TestOnlyClearTable();
}
