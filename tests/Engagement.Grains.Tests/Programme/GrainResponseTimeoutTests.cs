using System.Reflection;
using Engagement.Contracts.Programme;
using Engagement.Grains.Programme;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// The grain methods whose callers wait longer than Orleans' default 30 s carry <see cref="ResponseTimeoutAttribute"/>
/// with the intended value: a refactor that drops or changes it (the attribute is easily lost when a method is moved or
/// re-declared) fails here, as does a new one nobody listed.
/// </summary>
public sealed class GrainResponseTimeoutTests
{
    /// <summary>Every grain interface method with a response timeout of its own, and that timeout.</summary>
    private static readonly Dictionary<string, TimeSpan> Intended = new(StringComparer.Ordinal)
    {
        // An evaluation reads every region's days (8 at once; up to 256 regions) and writes the book in parts: 200
        // regions took longer than 30 s on a loaded machine (IAlertsGrain.EvaluateAsync's docs).
        [nameof(IAlertsGrain) + "." + nameof(IAlertsGrain.EvaluateAsync)] = TimeSpan.FromMinutes(3),
    };

    [Fact]
    public void Alert_evaluation_waits_up_to_three_minutes()
    {
        var method = typeof(IAlertsGrain).GetMethod(nameof(IAlertsGrain.EvaluateAsync), Type.EmptyTypes)!;

        var attribute = method.GetCustomAttribute<ResponseTimeoutAttribute>();

        Assert.NotNull(attribute);
        Assert.Equal<TimeSpan?>(TimeSpan.FromMinutes(3), attribute.Timeout);
    }

    [Fact]
    public void Exactly_the_intended_grain_methods_carry_a_response_timeout_with_their_intended_values()
    {
        var found = new[] { typeof(IAlertsGrain).Assembly, typeof(AlertsGrain).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods().Select(m => (Name: t.Name + "." + m.Name, Timeout: m.GetCustomAttribute<ResponseTimeoutAttribute>()?.Timeout)))
            .Where(m => m.Timeout is not null)
            .ToDictionary(m => m.Name, m => m.Timeout!.Value, StringComparer.Ordinal);

        Assert.Equal(Intended.OrderBy(p => p.Key, StringComparer.Ordinal), found.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
