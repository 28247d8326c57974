using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Engagement.Silo;

/// <summary>
/// How this silo joins its cluster, bound from <c>Engagement:Silo</c>. Silos with the same <see cref="ClusterId"/>
/// on one storage account form one cluster through the Azure membership table; each needs its own
/// <see cref="SiloPort"/> and <see cref="GatewayPort"/> when several share a machine.
/// </summary>
public sealed class SiloHostOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Engagement:Silo";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (SupportConsole) connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The IP address other silos and clients reach this silo at, as written to the membership table. Default
    /// <c>127.0.0.1</c> (every silo on one machine); in production the host's or pod's own address
    /// (<c>Engagement__Silo__AdvertisedAddress=$(POD_IP)</c>).
    /// </summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address the silo and gateway ports listen on. Default: the advertised address; <c>0.0.0.0</c> listens on
    /// every interface (behind NAT or in a container).
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>
    /// How silos find each other: <c>AzureStorage</c> (default; the membership table on the engine's storage
    /// account, any number of silos) or <c>Localhost</c> (one silo, nothing written to storage).
    /// </summary>
    [Required]
    public string Clustering { get; set; } = AzureStorageClustering;

    /// <summary>Cluster id: silos with the same id on one account form one cluster. Default <c>engagement-dev</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "engagement-dev";

    /// <summary>Service id: the key under which grain state and reminders are stored. Default <c>engagement</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "engagement";

    /// <summary>
    /// How long the host gives its services to stop (<see cref="Microsoft.Extensions.Hosting.HostOptions.ShutdownTimeout"/>,
    /// set from this by <see cref="SiloShutdown.AddEngagementSiloHost"/>). Default 45 s, from
    /// <see cref="MinShutdownTimeout"/> to <see cref="MaxShutdownTimeout"/>: a silo stopped mid-backup releases its claim
    /// in at most 3 attempts × 8 s (docs/backups.md, "A silo killed or stopped mid-copy"), and the copy's cancellation and the rest of the silo's
    /// stop come on top; 30 s (the host's own default, and the smallest allowed) leaves next to no headroom for them, so a
    /// release cut short at 30 s is left for the watchers to report stalled: allowed, not advised. An orchestrator's grace period
    /// (Kubernetes' <c>terminationGracePeriodSeconds</c>) must be above it.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>Default of <see cref="ShutdownTimeout"/>: 45 s.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(45);

    /// <summary>Smallest <see cref="ShutdownTimeout"/>: 30 s, allowed with no headroom (a backup claim's release alone may take 24 s).</summary>
    public static readonly TimeSpan MinShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Largest <see cref="ShutdownTimeout"/>: 10 minutes (a deploy should not wait longer on one silo).</summary>
    public static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the stop line waits, once the host's services have stopped, for the queue receivers to hand back (their
    /// <c>Stopped receiving from …</c> totals logged): Orleans bounds its own wait for them and lets them finish in the
    /// background, and an operator reads the stop line as the last word. Default 5 s, from <see cref="TimeSpan.Zero"/>
    /// (do not wait) to <see cref="MaxQueueHandBackWait"/>, on the real clock. A wait that runs out is named on the stop
    /// line (docs/running-locally.md, "A stop ends …"). It comes on top of <see cref="ShutdownTimeout"/>: an orchestrator's grace period
    /// must be above both together.
    /// </summary>
    public TimeSpan QueueHandBackWait { get; set; } = DefaultQueueHandBackWait;

    /// <summary>Default of <see cref="QueueHandBackWait"/>: 5 s.</summary>
    public static readonly TimeSpan DefaultQueueHandBackWait = TimeSpan.FromSeconds(5);

    /// <summary>Largest <see cref="QueueHandBackWait"/>: 1 minute.</summary>
    public static readonly TimeSpan MaxQueueHandBackWait = TimeSpan.FromMinutes(1);

    /// <summary>Value of <see cref="Clustering"/> for the Azure membership table.</summary>
    public const string AzureStorageClustering = "AzureStorage";

    /// <summary>Value of <see cref="Clustering"/> for one silo on localhost.</summary>
    public const string LocalhostClustering = "Localhost";

    /// <summary><see cref="AdvertisedAddress"/> parsed.</summary>
    public IPAddress AdvertisedIp => IPAddress.Parse(AdvertisedAddress);

    /// <summary><see cref="ListenAddress"/> parsed, or the advertised address.</summary>
    public IPAddress ListenIp => ListenAddress is { Length: > 0 } listen ? IPAddress.Parse(listen) : AdvertisedIp;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(AdvertisedAddress)} '{AdvertisedAddress}' is not an IP address.", [nameof(AdvertisedAddress)]);
        }

        if (ListenAddress is { Length: > 0 } && !IPAddress.TryParse(ListenAddress, out _))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ListenAddress)} '{ListenAddress}' is not an IP address.", [nameof(ListenAddress)]);
        }

        if (Clustering is not (AzureStorageClustering or LocalhostClustering))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Clustering)} must be '{AzureStorageClustering}' or '{LocalhostClustering}'.", [nameof(Clustering)]);
        }

        if (ShutdownTimeout < MinShutdownTimeout || ShutdownTimeout > MaxShutdownTimeout)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ShutdownTimeout)} '{ShutdownTimeout}' must be from {MinShutdownTimeout} to {MaxShutdownTimeout}.", [nameof(ShutdownTimeout)]);
        }

        if (QueueHandBackWait < TimeSpan.Zero || QueueHandBackWait > MaxQueueHandBackWait)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(QueueHandBackWait)} '{QueueHandBackWait}' must be from {TimeSpan.Zero} to {MaxQueueHandBackWait}.", [nameof(QueueHandBackWait)]);
        }

        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult($"{SectionName}: {nameof(SiloPort)} and {nameof(GatewayPort)} must differ.", [nameof(SiloPort), nameof(GatewayPort)]);
        }
    }
}
