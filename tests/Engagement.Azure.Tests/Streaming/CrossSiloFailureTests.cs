using Engagement.Azure.Storage;
using Engagement.Azure.Streaming;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A grain on one silo refuses its state as too large; the call came from the other silo, as a pulling agent's delivery
/// to a member placed away from it does: what arrives is what the poison reason's filter describes.
/// </summary>
public sealed class CrossSiloFailureTests
{
    [Fact]
    public async Task ARefusalThrownOnAnotherSiloArrivesWithItsSizesAndIsDescribedWhole()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.Services.AddEngagementDomainSerialization());
        builder.ConfigureClient(client => client.Services.AddEngagementDomainSerialization());
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var (agentSilo, memberSilo) = (cluster.Silos[0], cluster.Silos[1]);

        // Activated from silo 1 with local placement, so it lives there; then called from silo 0.
        var onMemberSilo = memberSilo.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IRefusingGrain>("M000108");
        Assert.Equal(memberSilo.SiloAddress, await onMemberSilo.SiloAsync());
        var fromAgentSilo = agentSilo.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IRefusingGrain>("M000108");
        Assert.Equal(memberSilo.SiloAddress, await fromAgentSilo.SiloAsync());

        var arrived = await Assert.ThrowsAsync<GrainStateTooLargeException>(fromAgentSilo.RefuseAsync);

        Assert.Equal((4_310L, 4_096L), (arrived.ActualBytes, arrived.LimitBytes));
        Assert.StartsWith(
            "GrainStateTooLargeException: Refused to write state 'member' of member/M000108: its JSON is 4,310 stored characters, over the bound of 4,096 characters (Engagement:Storage:MaxGrainStateBytes).",
            ConsumerFailures.Describe(arrived),
            StringComparison.Ordinal);
    }
}

/// <summary>A grain that refuses its state as too large, placed on the silo that activates it.</summary>
public interface IRefusingGrain : IGrainWithStringKey
{
    /// <summary>Throws the refusal a member's storage throws for a state of 4,310 bytes against 4,096.</summary>
    Task RefuseAsync();

    /// <summary>The silo the activation lives on.</summary>
    Task<SiloAddress> SiloAsync();
}

/// <inheritdoc cref="IRefusingGrain"/>
[Orleans.Placement.PreferLocalPlacement]
public sealed class RefusingGrain(ILocalSiloDetails silo) : Grain, IRefusingGrain
{
    /// <inheritdoc/>
    public Task RefuseAsync() =>
        throw new GrainStateTooLargeException(4_310, 4_096, $"state 'member' of member/{this.GetPrimaryKeyString()}");

    /// <inheritdoc/>
    public Task<SiloAddress> SiloAsync() => Task.FromResult(silo.SiloAddress);
}
