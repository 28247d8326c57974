using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Storage;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Grain state kept in this process without Orleans' memory storage grain (<c>--memory-storage local</c>): each write
/// serializes the state with <see cref="TextJsonGrainStorageSerializer"/>, as the table storage does, checks the ETag
/// and keeps the bytes; there is no grain call to a storage grain and no copy of the bytes for it. It shows what the
/// in-memory pipeline costs when storing a state costs only its serialization — the floor under any real storage.
/// </summary>
internal sealed class LocalGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), Row> _rows = new();
    private readonly TextJsonGrainStorageSerializer _serializer = new();
    private long _lastETag;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = _serializer.Deserialize<T>(row.Json);
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State ??= Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var json = _serializer.Serialize(grainState.State);
        var etag = Interlocked.Increment(ref _lastETag).ToString(CultureInfo.InvariantCulture);
        var row = new Row(json, etag);
        var stored = grainState.ETag is null
            ? _rows.TryAdd(key, row)
            : _rows.TryGetValue(key, out var current) && current.ETag == grainState.ETag && _rows.TryUpdate(key, row, current);
        if (!stored)
        {
            throw new InconsistentStateException($"ETag mismatch writing {stateName} of {grainId}", grainState.ETag ?? "(none)", _rows.TryGetValue(key, out var now) ? now.ETag : "(none)");
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _rows.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private sealed record Row(BinaryData Json, string ETag);
}
