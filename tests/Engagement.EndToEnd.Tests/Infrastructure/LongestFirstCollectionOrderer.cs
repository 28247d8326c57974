using System.Reflection;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Engagement.EndToEnd.Tests.Infrastructure.LongestFirstCollectionOrderer", "Engagement.EndToEnd.Tests")]

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// About how many seconds the tests of a class (or of a collection, on its definition class) take together in CI, on the
/// 2-core machine: read by <see cref="LongestFirstCollectionOrderer"/> to start the long ones first. It orders only;
/// nothing waits for it or asserts it. Figures of the CI of 2026-12-08, rounded.
/// </summary>
/// <param name="seconds">Seconds of wall time of the class's tests, run one after another.</param>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExpectedSecondsAttribute(int seconds) : Attribute
{
    /// <summary>Seconds of wall time of the class's tests together.</summary>
    public int Seconds { get; } = seconds;
}

/// <summary>
/// Hands xUnit the test collections longest first (<see cref="ExpectedSecondsAttribute"/>; those without it after, by
/// name). xUnit's conservative parallel algorithm starts the collections in this order, two at a time on 2 cores, so the
/// long tests that run alone (scripts/test's "EndToEnd alone") start first and the short ones fill in beside them,
/// instead of a long one starting last with nothing beside it: xUnit's own order (a hash of the collection's id, which
/// holds the assembly's path) changed from clone to clone, and with it that part's wall time, 175 s or 243 s.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    /// <summary>The display name xUnit gives the collection of a class that names none, before the class's full name.</summary>
    public const string PerClassPrefix = "Test collection for ";

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(ExpectedSeconds).ThenBy(c => c.DisplayName, StringComparer.Ordinal).ToList();

    /// <summary>The collection's <see cref="ExpectedSecondsAttribute"/> seconds (its definition's or its class's), or 0.</summary>
    public static int ExpectedSeconds(ITestCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var type = collection.CollectionDefinition?.ToRuntimeType()
            ?? (collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal)
                ? typeof(LongestFirstCollectionOrderer).Assembly.GetType(collection.DisplayName[PerClassPrefix.Length..])
                : null);
        return type?.GetCustomAttribute<ExpectedSecondsAttribute>()?.Seconds ?? 0;
    }
}
