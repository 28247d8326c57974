using System.Collections.Concurrent;
using Engagement.Azure.Campaigns;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Counts the member-index rows the engine writes by the audience attribute that changed since the member's previous
/// row (a row may change several; a member's first row counts as <c>first</c>), so a scenario can say why the index is
/// written as often as it is.
/// </summary>
internal sealed class IndexChangeCounter
{
    private readonly ConcurrentDictionary<string, MemberAttributes> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _changes = new(StringComparer.Ordinal);

    /// <summary>Rows written so far by what changed: <c>first</c>, <c>tier</c>, <c>segment</c>, <c>valueClass</c>, <c>stage</c>, <c>region</c>, <c>tags</c>, <c>phone</c>, <c>none</c> (a forced rewrite).</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_changes, StringComparer.Ordinal);

    /// <summary>Wraps the table member index the engine registers.</summary>
    public void Decorate(IServiceCollection services)
    {
        services.RemoveAll<IMemberIndex>();
        services.AddSingleton<IMemberIndex>(sp => new Counting(sp.GetRequiredService<AzureTableMemberIndex>(), this));
    }

    private void Count(MemberIndexEntry entry)
    {
        var now = entry.Attributes;
        if (!_last.TryGetValue(entry.MemberId, out var was))
        {
            Add("first");
        }
        else
        {
            var any = false;
            any |= Changed("tier", was.Tier, now.Tier);
            any |= Changed("segment", was.Segment, now.Segment);
            any |= Changed("valueClass", was.ValueClass, now.ValueClass);
            any |= Changed("stage", was.Stage, now.Stage);
            any |= Changed("region", was.Region, now.Region);
            any |= Changed("tags", string.Join('|', was.Tags), string.Join('|', now.Tags));
            any |= Changed("phone", was.Phone, now.Phone);
            if (!any)
            {
                Add("none");
            }
        }

        _last[entry.MemberId] = now;
    }

    private bool Changed(string name, string was, string now)
    {
        if (string.Equals(was, now, StringComparison.Ordinal))
        {
            return false;
        }

        Add(name);
        Add(name + ":" + was + "→" + now);
        return true;
    }

    private void Add(string key) => _changes.AddOrUpdate(key, 1, static (_, n) => n + 1);

    private sealed class Counting(IMemberIndex inner, IndexChangeCounter counter) : IMemberIndex
    {
        public int ShardCount => inner.ShardCount;

        public async Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default)
        {
            await inner.UpsertAsync(entry, cancellationToken);
            counter.Count(entry);
        }

        public Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default) =>
            inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
    }
}
