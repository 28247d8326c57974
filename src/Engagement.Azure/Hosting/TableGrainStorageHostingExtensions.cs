using Engagement.Azure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration.Overrides;
using Orleans.Runtime.Hosting;

namespace Engagement.Azure.Hosting;

/// <summary>Registers <see cref="AzureTableGrainStorage"/> as a named Orleans grain storage provider.</summary>
public static class TableGrainStorageHostingExtensions
{
    /// <summary>
    /// Adds a grain storage provider called <paramref name="name"/> on an Azure table. Its options are validated when
    /// the silo starts and the table is created then if missing.
    /// </summary>
    public static ISiloBuilder AddEngagementTableGrainStorage(this ISiloBuilder builder, string name, Action<AzureTableGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddEngagementTableGrainStorage(name, options => options.Configure(configure));
    }

    /// <summary>As above, with an <see cref="OptionsBuilder{TOptions}"/> (to bind configuration or depend on other services).</summary>
    public static ISiloBuilder AddEngagementTableGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<AzureTableGrainStorageOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configureOptions);
        var services = builder.Services;
        var options = services.AddOptions<AzureTableGrainStorageOptions>(name);
        configureOptions(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureTableGrainStorageOptions>, AzureTableGrainStorageOptionsValidator>());
        services.AddGrainStorage(name, static (sp, providerName) => new AzureTableGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<AzureTableGrainStorageOptions>>().Get(providerName),
            sp.GetProviderClusterOptions(providerName),
            sp.GetRequiredService<ILogger<AzureTableGrainStorage>>()));
        return builder;
    }
}
