using System.Text;
using Engagement.Azure.Backup;
using Engagement.Azure.Storage;
using Engagement.Azure.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// What reaches the pulling agent's silo when the member whose delivery failed lives on another silo: Orleans serializes
/// the member's exception into the response, and the poison reason's detail is described from what arrives. The silo
/// here is composed as the engine's silo is; the engine's exceptions cross by their own codecs, under stable aliases.
/// </summary>
[Collection(DefaultIngestionCollection.Name)]
public sealed class ConsumerFailureWireTests(DefaultIngestionCluster fixture)
{
    private const string RefusedMessage =
        "Refused to write state 'member' of member/M000108: its JSON is 4,310 stored characters, over the bound of 4,096 characters " +
        "(Engagement:Storage:MaxGrainStateBytes). Nothing was written; the stored state is unchanged.";

    [Fact]
    public void AMemberRefusedAsTooLargeOnAnotherSiloArrivesWithItsSizesBoundAndMessage()
    {
        var refused = new GrainStateTooLargeException(4_310, 4_096, "state 'member' of member/M000108");
        var wrapped = new OrleansException("Error from storage provider during WriteStateAsync", refused);

        // Admitted by namespace only, it was rebuilt through its empty constructor: both sizes arrived as 0.
        var bare = Assert.IsType<GrainStateTooLargeException>(RoundTrip(refused));
        Assert.Equal((4_310L, 4_096L, RefusedMessage), (bare.ActualBytes, bare.LimitBytes, bare.Message));

        var outer = Assert.IsType<OrleansException>(RoundTrip(wrapped));
        var inner = Assert.IsType<GrainStateTooLargeException>(outer.InnerException);
        Assert.Equal((4_310L, 4_096L, RefusedMessage), (inner.ActualBytes, inner.LimitBytes, inner.Message));
        Assert.Equal(ConsumerFailures.Describe(wrapped), ConsumerFailures.Describe(outer));
        Assert.StartsWith($"GrainStateTooLargeException: {RefusedMessage}", ConsumerFailures.Describe(outer), StringComparison.Ordinal);

        // Named on the wire by its alias, not its type name, so a rename or move does not break a mixed-version cluster.
        var wire = Encoding.UTF8.GetString(Serializer.SerializeToArray<Exception>(refused));
        Assert.Contains("engagement.grain-state-too-large.v1", wire, StringComparison.Ordinal);
        Assert.DoesNotContain("Engagement.Azure.Storage", wire, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBackupsRefusalsArriveWithTheirBackupStatusAndMessage()
    {
        var recorded = new BackupAlreadyRecordedException("20261206-020000", BackupManifest.Failed);
        var arrived = Assert.IsType<BackupAlreadyRecordedException>(RoundTrip(recorded));
        Assert.Equal((recorded.Backup, recorded.Status, recorded.Message), (arrived.Backup, arrived.Status, arrived.Message));
        Assert.Equal("20261206-020000", arrived.Backup);

        var taken = new BackupNamesTakenException("every name of 20261206-0200xx is taken");
        Assert.Equal(taken.Message, Assert.IsType<BackupNamesTakenException>(RoundTrip(taken)).Message);
    }

    private Serializer Serializer => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();

    private Exception RoundTrip(Exception thrown) => Serializer.Deserialize<Exception>(Serializer.SerializeToArray<Exception>(thrown))!;
}
