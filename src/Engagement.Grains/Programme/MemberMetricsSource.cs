using Engagement.Contracts.Storage;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Programme;

/// <summary>
/// What a member grain needs for programme metrics, one per silo (registered by <c>AddEngagementProgramme</c>): the
/// metrics settings and the value-class thresholds by monetary rank (CONTRACT.md §2) from <see cref="IValueClassGrain"/>,
/// cached for <see cref="CacheFor"/> so members do not call it per event. Ranks replace the fixed
/// <c>Rfm:ValueClassAMin/BMin</c> once the histogram counts at least <see cref="MinRankedMembers"/> members.
/// </summary>
public sealed partial class MemberMetricsSource(
    IOptions<MetricsOptions> metricsOptions,
    IGrainFactory grains,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<MemberMetricsSource> logger) : IMemberRulesSource
{
    /// <summary>How long a silo keeps the thresholds before asking again (engine clock).</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a silo keeps thresholds counted over fewer than <see cref="SettledMembers"/> members: they are recounted
    /// (<see cref="IValueClassGrain.RefreshAsync"/>), not read from the grain's daily copy, so a young programme's
    /// classes follow its growth (CONTRACT.md §2: top 15% A, next 35% B of the programme as it is, not as it was).
    /// </summary>
    public static readonly TimeSpan YoungCacheFor = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Thresholds counted over fewer members than this are young: recounted every <see cref="YoungCacheFor"/>
    /// instead of kept <see cref="CacheFor"/> by the silo and <see cref="MetricsOptions.ValueClassRefreshHours"/> by the
    /// grain. Cost: while young, one recount per silo per minute (one read of the gauges of every region × shard and one
    /// state write of the value-class grain); from this many members on, growth of a few percent moves ranks little and
    /// the hourly/daily copies are used.
    /// </summary>
    public const long SettledMembers = 10_000;

    /// <summary>Fewer members give no meaningful rank: the fixed thresholds stay in force.</summary>
    public const long MinRankedMembers = 100;

    private readonly object _gate = new();
    private Cached? _cached;
    private Task? _refreshing;

    /// <summary>
    /// The rules for a member's next decision. Answers from the cache; when it is older than <see cref="CacheFor"/>
    /// (<see cref="YoungCacheFor"/> while the thresholds were counted over fewer than <see cref="SettledMembers"/> members), one caller
    /// per silo waits for the value-class grain (a failure, a storage timeout's <see cref="TaskCanceledException"/> too, keeps
    /// the rules in force and is retried after a minute).
    /// </summary>
    public async ValueTask<MemberRules> RulesAsync(ProgramOptions program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var now = time.GetUtcNow();
        var cached = Volatile.Read(ref _cached);
        if (cached is null || now >= cached.RefreshAt)
        {
            await RefreshAsync(now);
            cached = Volatile.Read(ref _cached);
        }

        var thresholds = cached?.Thresholds;
        if (thresholds is null || thresholds.Members < MinRankedMembers)
        {
            return new MemberRules(program, metricsOptions.Value);
        }

        var ranked = cached!.Ranked;
        if (ranked is null || !ReferenceEquals(ranked.Base, program))
        {
            ranked = new RankedRules(program, WithValueClasses(program, thresholds));
            cached.Ranked = ranked;
        }

        return new MemberRules(ranked.Rules, metricsOptions.Value);
    }

    /// <summary>A copy of <paramref name="program"/> whose value classes are <paramref name="thresholds"/>' (A from <see cref="ValueClassThresholds.A"/>, B from <see cref="ValueClassThresholds.B"/>).</summary>
    public static ProgramOptions WithValueClasses(ProgramOptions program, ValueClassThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(thresholds);
        var copy = ShallowCopy(program);
        var rfm = ShallowCopy(program.Rfm);
        rfm.ValueClassAMin = thresholds.A;
        rfm.ValueClassBMin = thresholds.B;
        copy.Rfm = rfm;
        return copy;
    }

    private static T ShallowCopy<T>(T source)
        where T : class, new()
    {
        var copy = new T();
        foreach (var property in typeof(T).GetProperties())
        {
            if (property.CanRead && property.CanWrite && property.GetIndexParameters().Length == 0)
            {
                property.SetValue(copy, property.GetValue(source));
            }
        }

        return copy;
    }

    private Task RefreshAsync(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_refreshing is null || _refreshing.IsCompleted)
            {
                _refreshing = FetchAsync(now);
            }

            return _refreshing;
        }
    }

    private async Task FetchAsync(DateTimeOffset now)
    {
        try
        {
            // A young programme grows by multiples within minutes (a load, an opening): until its thresholds are counted
            // over SettledMembers, ask for a fresh count every minute, not the copy counted when it was a tenth of its size.
            var grain = grains.GetGrain<IValueClassGrain>(0);
            var young = _cached?.Thresholds is not { Members: >= SettledMembers };
            var thresholds = young ? await grain.RefreshAsync() : await grain.GetThresholdsAsync();
            Volatile.Write(ref _cached, new Cached(thresholds, now + (thresholds.Members < SettledMembers ? YoungCacheFor : CacheFor)));
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            // No token of ours is in these calls: a TaskCanceledException out of them is a storage SDK timeout in a
            // callee (the metrics rows the value-class grain counts, read by the programme metrics grain), unwrapped.
            LogThresholdsUnavailable(ex);
            Volatile.Write(ref _cached, new Cached(_cached?.Thresholds, now + TimeSpan.FromMinutes(1)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Value-class thresholds unavailable; members keep the classes in force and the silo asks again in a minute")]
    private partial void LogThresholdsUnavailable(Exception exception);

    private sealed class Cached(ValueClassThresholds? thresholds, DateTimeOffset refreshAt)
    {
        public ValueClassThresholds? Thresholds { get; } = thresholds;

        public DateTimeOffset RefreshAt { get; } = refreshAt;

        public RankedRules? Ranked { get; set; }
    }

    private sealed record RankedRules(ProgramOptions Base, ProgramOptions Rules);
}
