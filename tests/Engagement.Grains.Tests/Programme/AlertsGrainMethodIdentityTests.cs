using System.Reflection;
using Engagement.Contracts.Programme;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// Orleans names a grain method without an alias by a hash of its name and parameter types: the anomaly methods of the
/// previous release keep exactly their signatures so that old and new silos call each other during a rolling upgrade,
/// and the methods carrying when a report was observed are new methods named by explicit aliases.
/// </summary>
public sealed class AlertsGrainMethodIdentityTests
{
    [Theory]
    [InlineData(nameof(IAlertsGrain.RaiseAnomalyAsync), new[] { typeof(string), typeof(string) })]
    [InlineData(nameof(IAlertsGrain.ResolveAnomalyAsync), new[] { typeof(string) })]
    public void The_previous_releases_anomaly_methods_keep_their_signatures_and_no_alias(string name, Type[] parameters)
    {
        var methods = typeof(IAlertsGrain).GetMethods().Where(m => m.Name == name).ToList();

        var method = Assert.Single(methods);
        Assert.Equal(parameters, method.GetParameters().Select(p => p.ParameterType).ToArray());
        Assert.Equal(typeof(Task), method.ReturnType);
        Assert.Null(method.GetCustomAttribute<AliasAttribute>());
    }

    [Theory]
    [InlineData(nameof(IAlertsGrain.RaiseObservedAnomalyAsync), "alerts.raise-anomaly.v2", new[] { typeof(string), typeof(string), typeof(DateTimeOffset) })]
    [InlineData(nameof(IAlertsGrain.ResolveObservedAnomalyAsync), "alerts.resolve-anomaly.v2", new[] { typeof(string), typeof(DateTimeOffset) })]
    public void The_observed_anomaly_methods_are_named_by_their_aliases(string name, string alias, Type[] parameters)
    {
        var method = Assert.Single(typeof(IAlertsGrain).GetMethods(), m => m.Name == name);

        Assert.Equal(parameters, method.GetParameters().Select(p => p.ParameterType).ToArray());
        Assert.Equal(alias, method.GetCustomAttribute<AliasAttribute>()?.Alias);
    }
}
