using System.ComponentModel.DataAnnotations;

namespace Engagement.Silo;

/// <summary>
/// How this silo joins its cluster, bound from <c>Engagement:Silo</c>. Localhost clustering until
/// multi-silo membership lands; the ports let two silos (or a test host beside a dev one) share a machine.
/// </summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "Engagement:Silo";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (SupportConsole) connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Cluster id. Default <c>engagement-dev</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "engagement-dev";

    /// <summary>Service id: the key under which grain state and reminders are stored. Default <c>engagement</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "engagement";
}
