using Orleans.Concurrency;

namespace Engagement.Contracts.Offers;

/// <summary>
/// The programme's point value over time (a singleton, key 0; CONTRACT.md §2): CNY per point within ±20% of the 0.01
/// anchor, each change effective from its instant, history kept. Redemptions and the liability report ask it for the
/// value at their instant.
/// </summary>
public interface IPointValueGrain : IGrainWithIntegerKey
{
    [ReadOnly]
    Task<PointValueView> GetAsync();

    /// <summary>CNY per point in force at <paramref name="at"/>.</summary>
    [ReadOnly]
    Task<decimal> ValueAtAsync(DateTimeOffset at);

    /// <summary>Schedules a change (idempotent by changeId); refused outside the bounds or before now.</summary>
    Task<PointValueSetResult> SetAsync(PointValueChangeRequest request);
}

/// <summary>A change of the point value: CNY per point from <see cref="EffectiveFrom"/> (default now).</summary>
[GenerateSerializer, Immutable, Alias("engagement.point-value-change-request.v1")]
public sealed record PointValueChangeRequest
{
    [Id(0)] public string ChangeId { get; init; } = "";

    [Id(1)] public decimal Value { get; init; }

    /// <summary>From when (default now); in JSON ISO-8601 with an offset (<see cref="Campaigns.OptionalOffsetDateTimeJsonConverter"/>).</summary>
    [Id(2)]
    [System.Text.Json.Serialization.JsonConverter(typeof(Campaigns.OptionalOffsetDateTimeJsonConverter))]
    public DateTimeOffset? EffectiveFrom { get; init; }

    [Id(3)] public string Reason { get; init; } = "";

    /// <summary>Who set it (the API key's name); filled by the server.</summary>
    [Id(4)] public string SetBy { get; init; } = "";
}

/// <summary>The point value now, its bounds, and every change kept (oldest first).</summary>
[GenerateSerializer, Immutable, Alias("engagement.point-value-view.v1")]
public sealed record PointValueView
{
    [Id(0)] public decimal Current { get; init; }

    [Id(1)] public decimal Anchor { get; init; }

    [Id(2)] public decimal Min { get; init; }

    [Id(3)] public decimal Max { get; init; }

    [Id(4)] public IReadOnlyList<PointValueChangeView> History { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("engagement.point-value-change-view.v1")]
public sealed record PointValueChangeView
{
    [Id(0)] public string ChangeId { get; init; } = "";

    [Id(1)] public decimal Value { get; init; }

    [Id(2)] public DateTimeOffset EffectiveFrom { get; init; }

    [Id(3)] public DateTimeOffset SetAt { get; init; }

    [Id(4)] public string SetBy { get; init; } = "";

    [Id(5)] public string Reason { get; init; } = "";
}

/// <summary>Outcome of a change: the view, or the refusal naming why.</summary>
[GenerateSerializer, Immutable, Alias("engagement.point-value-set-result.v1")]
public sealed record PointValueSetResult
{
    [Id(0)] public string? Refusal { get; init; }

    [Id(1)] public required PointValueView View { get; init; }
}
