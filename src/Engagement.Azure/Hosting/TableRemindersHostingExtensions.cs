using Engagement.Azure.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>Registers <see cref="AzureTableReminderTable"/> as the silo's reminder table.</summary>
public static class TableRemindersHostingExtensions
{
    /// <summary>
    /// Enables Orleans reminders backed by an Azure table, replacing any reminder table registered before
    /// (e.g. <c>UseInMemoryReminderService</c>). Options are validated when the silo starts.
    /// </summary>
    public static ISiloBuilder AddEngagementTableReminders(this ISiloBuilder builder, Action<AzureTableReminderTableOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddEngagementTableReminders(options => options.Configure(configure));
    }

    /// <summary>As above, with an <see cref="OptionsBuilder{TOptions}"/> (to bind configuration or depend on other services).</summary>
    public static ISiloBuilder AddEngagementTableReminders(this ISiloBuilder builder, Action<OptionsBuilder<AzureTableReminderTableOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        builder.AddReminders();
        var services = builder.Services;
        var options = services.AddOptions<AzureTableReminderTableOptions>();
        configureOptions(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureTableReminderTableOptions>, AzureTableReminderTableOptionsValidator>());
        services.TryAddSingleton(ReminderTableStats.Shared);
        services.RemoveAll<IReminderTable>();
        services.TryAddSingleton<AzureTableReminderTable>();
        services.AddSingleton<IReminderTable>(sp => sp.GetRequiredService<AzureTableReminderTable>());
        return builder;
    }
}
