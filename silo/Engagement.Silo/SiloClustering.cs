using System.ComponentModel.DataAnnotations;
using Engagement.Azure.Hosting;
using Orleans.Configuration;

namespace Engagement.Silo;

/// <summary>How the host joins its Orleans cluster (<see cref="SiloHostOptions"/>).</summary>
public static class SiloClustering
{
    /// <summary>Section bound to Orleans' <see cref="ClusterMembershipOptions"/> (probe timeouts and the like).</summary>
    public const string MembershipSectionName = "Engagement:Silo:Membership";

    /// <summary>
    /// Reads and validates <c>Engagement:Silo</c> (throwing <see cref="ValidationException"/> naming the bad key),
    /// then configures endpoints, cluster ids and membership: the Azure membership table by default, so several silos
    /// on one account form one cluster, or localhost clustering for a single silo.
    /// </summary>
    public static SiloHostOptions ConfigureEngagementCluster(this ISiloBuilder orleans, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(orleans);
        ArgumentNullException.ThrowIfNull(configuration);
        var silo = configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        Validator.ValidateObject(silo, new ValidationContext(silo), validateAllProperties: true);

        if (silo.Clustering == SiloHostOptions.LocalhostClustering)
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            return silo;
        }

        orleans.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = silo.ClusterId;
            o.ServiceId = silo.ServiceId;
        });
        orleans.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = silo.AdvertisedIp;
            o.SiloPort = silo.SiloPort;
            o.GatewayPort = silo.GatewayPort;
            o.SiloListeningEndpoint = new(silo.ListenIp, silo.SiloPort);
            o.GatewayListeningEndpoint = new(silo.ListenIp, silo.GatewayPort);
        });
        orleans.Services.AddOptions<ClusterMembershipOptions>().Bind(configuration.GetSection(MembershipSectionName));
        orleans.UseEngagementAzureClustering();
        return silo;
    }
}
