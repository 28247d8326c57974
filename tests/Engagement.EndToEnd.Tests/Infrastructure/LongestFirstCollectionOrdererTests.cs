using Engagement.EndToEnd.Tests.Backup;
using Engagement.EndToEnd.Tests.Campaigns;
using Engagement.EndToEnd.Tests.MultiSilo;
using Engagement.EndToEnd.Tests.Scripts;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The order <see cref="LongestFirstCollectionOrderer"/> hands xUnit: the expected seconds of a class's collection (named
/// as xUnit names it) or of a collection definition, longest first; collections without them last, by name (a class's full name).
/// </summary>
public sealed class LongestFirstCollectionOrdererTests
{
    private static readonly TestAssembly Assembly = new(Reflector.Wrap(typeof(LongestFirstCollectionOrderer).Assembly));

    [Fact]
    public void CollectionsGoLongestFirstThenThoseWithoutSecondsByName()
    {
        ITestCollection[] collections =
        [
            PerClass(typeof(BackupListingCommandTests)),
            PerClass(typeof(BenchSmokeTests)),
            new TestCollection(Assembly, Reflector.Wrap(typeof(MultiSiloCollection)), MultiSiloCollection.Name),
            PerClass(typeof(AzuriteScriptTests)),
            PerClass(typeof(CouponCampaignRestartTests)),
        ];

        var ordered = new LongestFirstCollectionOrderer().OrderTestCollections(collections).ToList();

        Assert.Equal(
            [MultiSiloCollection.Name, Name(typeof(CouponCampaignRestartTests)), Name(typeof(BenchSmokeTests)), Name(typeof(BackupListingCommandTests)), Name(typeof(AzuriteScriptTests))],
            ordered.Select(c => c.DisplayName));
        Assert.Equal([110, 85, 75, 0, 0], ordered.Select(LongestFirstCollectionOrderer.ExpectedSeconds));
    }

    private static string Name(Type type) => LongestFirstCollectionOrderer.PerClassPrefix + type.FullName;

    // The collection xUnit makes for a class that names none: the orderer finds the class from its display name.
    private static ITestCollection PerClass(Type type) =>
        new CollectionPerClassTestCollectionFactory(Assembly, new NullMessageSink()).Get(Reflector.Wrap(type));
}
