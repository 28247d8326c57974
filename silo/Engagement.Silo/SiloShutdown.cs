using Microsoft.Extensions.Options;

namespace Engagement.Silo;

/// <summary>The silo host's own settings: <see cref="SiloHostOptions"/> bound and validated, and the host's shutdown timeout taken from them.</summary>
public static class SiloShutdown
{
    /// <summary>
    /// Binds <see cref="SiloHostOptions"/> from <c>Engagement:Silo</c> (validated when the host starts, naming the bad
    /// key) and sets the host's <see cref="HostOptions.ShutdownTimeout"/> to <see cref="SiloHostOptions.ShutdownTimeout"/>
    /// (45 s unless configured), so a silo stopped mid-backup has the time to release its claim (docs/backups.md, "A silo killed or
    /// stopped mid-copy") before the host gives up on its services.
    /// </summary>
    /// <exception cref="OptionsValidationException">When the options are read: a bad <c>Engagement:Silo</c> value.</exception>
    public static IServiceCollection AddEngagementSiloHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SiloHostOptions>()
            .Bind(configuration.GetSection(SiloHostOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // After the host's own HostOptions setup (registered before this), so this value wins over `shutdownTimeoutSeconds`.
        services.AddOptions<HostOptions>()
            .Configure<IOptions<SiloHostOptions>>((host, silo) => host.ShutdownTimeout = silo.Value.ShutdownTimeout);
        return services;
    }
}
