using Engagement.Azure.Storage;
using Engagement.Azure.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// What reaches the pulling agent's silo when the member whose delivery failed lives on another silo: Orleans serializes
/// the member's exception into the response, and the poison reason's detail is described from what arrives. The silo
/// here is composed with <c>AddEngagementQueueStreams</c>, as the engine's silo is.
/// </summary>
[Collection(DefaultIngestionCollection.Name)]
public sealed class ConsumerFailureWireTests(DefaultIngestionCluster fixture)
{
    [Fact]
    public void AMemberRefusedAsTooLargeOnAnotherSiloIsDescribedOnTheAgentsSiloWithItsSizesAndBound()
    {
        var serializer = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
        var refused = new GrainStateTooLargeException(4_310, 4_096, "state 'member' of member/M000108");
        var wrapped = new OrleansException("Error from storage provider during WriteStateAsync", refused);

        foreach (var thrown in new Exception[] { refused, wrapped })
        {
            // Without the engine's namespace admitted, serializing it threw CodecNotFoundException (which Orleans then
            // sends back instead of the failure).
            var arrived = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(thrown))!;

            Assert.Equal(ConsumerFailures.Describe(thrown), ConsumerFailures.Describe(arrived));
            Assert.StartsWith(
                "GrainStateTooLargeException: Refused to write state 'member' of member/M000108: its JSON is 4,310 bytes, over the bound of 4,096 bytes (Engagement:Storage:MaxGrainStateBytes).",
                ConsumerFailures.Describe(arrived),
                StringComparison.Ordinal);
        }
    }
}
