using System.Collections.Concurrent;
using System.Text.Json;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>What an injected outage breaks for a grain.</summary>
[Flags]
public enum StorageFault
{
    None = 0,

    /// <summary>Reading grain state fails.</summary>
    Read = 1,

    /// <summary>Writing grain state fails.</summary>
    Write = 2,

    /// <summary>Writing the grain's reminder row fails (registering or moving a reminder).</summary>
    Reminder = 4,

    /// <summary>Storage is gone.</summary>
    All = Read | Write | Reminder,
}

/// <summary>The exception an injected fault throws, as the storage SDK would throw its own.</summary>
public sealed class InjectedStorageFaultException(string message) : Exception(message)
{
    public InjectedStorageFaultException()
        : this("injected storage fault")
    {
    }

    public InjectedStorageFaultException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

/// <summary>
/// Test-only switches in front of a cluster's grain storage and reminder table: fail chosen operations for chosen grains
/// (by grain key), as an outage of the storage account would, and remember what each grain last wrote successfully —
/// the ground truth a test compares the grain's memory against.
/// </summary>
public sealed class StorageFaults
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, StorageFault> _failing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _stored = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _injected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writesBeforeFault = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _outboxBounds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _exceptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _nextWrite = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<object?, bool>> _nextWriteWhere = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<object?, bool>> _ambiguousWriteWhere = new(StringComparer.Ordinal);

    /// <summary>From now on, the given operations fail for the grain with this key.</summary>
    public void Fail(string grainKey, StorageFault fault) => _failing[grainKey] = fault;

    /// <summary>Storage works again for this grain.</summary>
    public void Heal(string grainKey)
    {
        _failing.TryRemove(grainKey, out _);
        _writesBeforeFault.TryRemove(grainKey, out _);
        _exceptions.TryRemove(grainKey, out _);
    }

    /// <summary>The next <paramref name="writes"/> state writes of this grain succeed; from then on its writes fail until healed.</summary>
    public void FailWritesAfter(string grainKey, int writes) => _writesBeforeFault[grainKey] = writes;

    /// <summary>
    /// As <see cref="FailWritesAfter(string, int)"/>, each failure (until healed) being what <paramref name="fault"/>
    /// makes of the operation's description: a <see cref="TaskCanceledException"/> is how the Azure SDK reports a timeout.
    /// </summary>
    public void FailWritesAfter(string grainKey, int writes, Func<string, Exception> fault)
    {
        _exceptions[grainKey] = fault;
        FailWritesAfter(grainKey, writes);
    }

    /// <summary>
    /// Only the next state write of this grain fails, as <paramref name="fault"/> makes of the operation's description
    /// (e.g. a 412 on its ETag, as the table refuses a stale copy's write); the writes after it succeed.
    /// </summary>
    public void FailNextWrite(string grainKey, Func<string, Exception> fault) => _nextWrite[grainKey] = fault;

    /// <summary>
    /// Only the first state write of this grain whose state <paramref name="when"/> picks fails (an
    /// <see cref="InjectedStorageFaultException"/>, before anything is written); the writes before and after it succeed.
    /// </summary>
    public void FailFirstWriteWhere(string grainKey, Func<object?, bool> when) => _nextWriteWhere[grainKey] = when;

    /// <summary>
    /// Only the first state write of this grain whose state <paramref name="when"/> picks is ambiguous: it is stored (as
    /// <see cref="Stored{T}"/> and the next read show), then reported failed with a <see cref="TaskCanceledException"/>, as
    /// the Azure SDK reports a timeout after the table took the write. Counted in <see cref="FailuresOf"/>.
    /// </summary>
    public void CommitThenFailFirstWriteWhere(string grainKey, Func<object?, bool> when) => _ambiguousWriteWhere[grainKey] = when;

    /// <summary>
    /// From now on, a member state write of this grain whose outbox holds more than <paramref name="maxPending"/> effects
    /// is refused before anything is written, as the state bound of the Azure storage refuses a state over 480 KiB.
    /// </summary>
    public void BoundOutbox(string grainKey, int maxPending) => _outboxBounds[grainKey] = maxPending;

    /// <summary>Successful state writes of this grain so far.</summary>
    public int WritesOf(string grainKey) => _writes.TryGetValue(grainKey, out var n) ? n : 0;

    /// <summary>Operations of this grain that failed by injection so far.</summary>
    public int FailuresOf(string grainKey) => _injected.TryGetValue(grainKey, out var n) ? n : 0;

    /// <summary>The state this grain last wrote successfully (a copy), or null if it never wrote.</summary>
    public T? Stored<T>(string grainKey)
        where T : class =>
        _stored.TryGetValue(grainKey, out var bytes) ? JsonSerializer.Deserialize<T>(bytes, Json) : null;

    internal void Check(GrainId grainId, StorageFault operation, string what)
    {
        var key = grainId.Key.ToString()!;
        if (operation == StorageFault.Write && _nextWrite.TryRemove(key, out var once))
        {
            _injected.AddOrUpdate(key, 1, (_, n) => n + 1);
            throw once($"injected fault: {what} of {grainId} failed");
        }

        if (operation == StorageFault.Write && _writesBeforeFault.TryGetValue(key, out var left))
        {
            if (left > 0)
            {
                _writesBeforeFault[key] = left - 1;
            }
            else
            {
                Fail(key, StorageFault.Write);
            }
        }

        if (_failing.TryGetValue(key, out var fault) && (fault & operation) != 0)
        {
            _injected.AddOrUpdate(key, 1, (_, n) => n + 1);
            var message = $"injected fault: {what} of {grainId} failed";
            throw _exceptions.TryGetValue(key, out var exception) ? exception(message) : new InjectedStorageFaultException(message);
        }
    }

    internal void CheckSize<T>(GrainId grainId, T state)
    {
        var key = grainId.Key.ToString()!;
        if (_nextWriteWhere.TryGetValue(key, out var when) && when(state) && _nextWriteWhere.TryRemove(key, out _))
        {
            _injected.AddOrUpdate(key, 1, (_, n) => n + 1);
            throw new InjectedStorageFaultException($"injected fault: writing state of {grainId} failed");
        }

        if (state is MemberGrainState member && _outboxBounds.TryGetValue(key, out var bound) && member.Member.Outbox.Count > bound)
        {
            _injected.AddOrUpdate(key, 1, (_, n) => n + 1);
            throw new InjectedStorageFaultException($"injected fault: the state of {grainId} is too large ({member.Member.Outbox.Count} effects pending)");
        }
    }

    internal void Written<T>(GrainId grainId, T state)
    {
        var key = grainId.Key.ToString()!;
        _stored[key] = JsonSerializer.SerializeToUtf8Bytes(state, Json);
        _writes.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_ambiguousWriteWhere.TryGetValue(key, out var when) && when(state) && _ambiguousWriteWhere.TryRemove(key, out _))
        {
            _injected.AddOrUpdate(key, 1, (_, n) => n + 1);
            throw new TaskCanceledException($"injected fault: writing state of {grainId} timed out after it was stored");
        }
    }
}

/// <summary>Registers <see cref="StorageFaults"/> in front of the engine's grain storage (memory) and the reminder table.</summary>
public static class StorageFaultsHosting
{
    private const string InnerStorageName = GrainStorageNames.State + "-inner";

    /// <summary>
    /// Memory grain storage for <see cref="GrainStorageNames.State"/> behind <paramref name="faults"/>, and the reminder
    /// table registered so far (call after <c>UseInMemoryReminderService</c>) behind them too.
    /// </summary>
    public static ISiloBuilder AddFaultyEngagementStorage(this ISiloBuilder silo, StorageFaults faults)
    {
        silo.AddMemoryGrainStorage(InnerStorageName, o => o.GrainStorageSerializer = new JsonGrainStateSerializer());
        silo.Services.AddKeyedSingleton<IGrainStorage>(
            GrainStorageNames.State,
            (sp, _) => new FaultyGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(InnerStorageName), faults));

        var reminders = silo.Services.Last(d => d.ServiceType == typeof(IReminderTable));
        silo.Services.Remove(reminders);
        silo.Services.AddSingleton<IReminderTable>(sp => new FaultyReminderTable(Resolve(sp, reminders), faults));
        return silo;
    }

    private static IReminderTable Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (IReminderTable)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));

    private sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.Check(grainId, StorageFault.Read, "reading state");
            return inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.Check(grainId, StorageFault.Write, "writing state");
            faults.CheckSize(grainId, grainState.State);
            await inner.WriteStateAsync(stateName, grainId, grainState);
            faults.Written(grainId, grainState.State);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.Check(grainId, StorageFault.Write, "clearing state");
            return inner.ClearStateAsync(stateName, grainId, grainState);
        }
    }

    private sealed class FaultyReminderTable(IReminderTable inner, StorageFaults faults) : IReminderTable
    {
        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

        public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

        public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

        public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

        public Task<string?> UpsertRow(ReminderEntry entry)
        {
            faults.Check(entry.GrainId, StorageFault.Reminder, "writing reminder " + entry.ReminderName);
            return inner.UpsertRow(entry);
        }

        public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => inner.RemoveRow(grainId, reminderName, eTag);

        public Task TestOnlyClearTable() => inner.TestOnlyClearTable();
    }
}
