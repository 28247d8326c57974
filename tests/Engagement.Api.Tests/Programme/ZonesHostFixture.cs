namespace Engagement.Api.Tests.Programme;

/// <summary>
/// The API host with the programme in Asia/Shanghai (the default zone), region <c>nz</c> in Pacific/Auckland (ahead of
/// it; region <c>akl</c> too, for a test whose joins must not move <c>nz</c>'s counts) and region <c>west</c> in
/// America/Los_Angeles (behind it), its engine clock the <see cref="Zones"/> a test sets
/// (not the inherited <see cref="ApiHostFixture.Clock"/>).
/// </summary>
public sealed class ZonesHostFixture : ApiHostFixture
{
    /// <summary>2026-12-01 12:30 UTC: 2026-12-02 01:30 in Auckland, 2026-12-01 20:30 in Shanghai, 04:30 in Los Angeles.</summary>
    public static readonly DateTimeOffset AucklandAhead = new(2026, 12, 1, 12, 30, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Engagement:Metrics:RegionTimeZones:NZ"] = "Pacific/Auckland",
        ["Engagement:Metrics:RegionTimeZones:Akl"] = "Pacific/Auckland",
        ["Engagement:Metrics:RegionTimeZones:West"] = "America/Los_Angeles",
    };

    public ZonesHostFixture()
        : this(new SetClock(AucklandAhead))
    {
    }

    private ZonesHostFixture(SetClock clock)
        : base(Settings, clock) => Zones = clock;

    /// <summary>The host's engine clock.</summary>
    public SetClock Zones { get; }
}

/// <summary>A clock that stands still at <see cref="Now"/>, which a test sets to any instant, an earlier one too.</summary>
public sealed class SetClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

// Alone, after the parallel collections: a fourth host starting beside the others on a 2-core machine.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ZonesHostCollection : ICollectionFixture<ZonesHostFixture>
{
    public const string Name = "api host, programme in three zones";
}
