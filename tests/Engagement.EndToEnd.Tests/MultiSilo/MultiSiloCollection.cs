using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.MultiSilo;

/// <summary>
/// The multi-silo tests run two or three silo processes and a 10,000-event load on a 2-core machine: run beside another
/// silo test, they starve it (a win-back test on an accelerated clock missed its L2 touch in CI). xUnit runs this
/// collection on its own, after the tests that run side by side.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[ExpectedSeconds(110)]
public sealed class MultiSiloCollection
{
    /// <summary>The collection's name, for <see cref="CollectionAttribute"/>.</summary>
    public const string Name = "MultiSilo";
}
