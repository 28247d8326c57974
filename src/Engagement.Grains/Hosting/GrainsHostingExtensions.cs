using Engagement.Contracts.Events;
using Engagement.Domain.Program;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace Engagement.Grains.Hosting;

/// <summary>Registers the grains' own needs: programme rules, time, and serialization of domain state.</summary>
public static class GrainsHostingExtensions
{
    /// <summary>
    /// Binds <see cref="ProgramOptions"/> from <c>Engagement:Program</c> (validated at start), adds
    /// <see cref="TimeProvider.System"/> as the engine's clock (<see cref="EngagementTime"/>) unless a test
    /// supplied its own or configured a test clock (<see cref="EngagementTime.ClockSpeedSetting"/>,
    /// <see cref="EngagementTime.ClockStartSetting"/>), and lets Orleans carry domain
    /// types as JSON (the domain has no Orleans attributes by design).
    /// </summary>
    public static ISiloBuilder AddEngagementGrains(this ISiloBuilder builder, IConfiguration configuration)
    {
        builder.Services.AddEngagementProgram(configuration.GetSection(ProgramOptions.SectionName));
        var start = configuration.GetValue<DateTimeOffset?>(EngagementTime.ClockStartSetting);
        if (configuration.GetValue<double?>(EngagementTime.ClockSpeedSetting) is > 1 and var speed)
        {
            // Test-only: days pass in seconds, and reminders may tick that fast.
            builder.Services.TryAddKeyedSingleton<TimeProvider>(EngagementTime.Key, new AcceleratedTimeProvider(TimeProvider.System, speed, start));
            builder.Services.TryAddSingleton(new ReminderClock(speed));
            builder.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
        else if (start is not null)
        {
            // Test-only: the engine clock starts at a pinned instant and runs at real speed.
            builder.Services.TryAddKeyedSingleton<TimeProvider>(EngagementTime.Key, new AcceleratedTimeProvider(TimeProvider.System, 1, start));
        }

        builder.Services.TryAddKeyedSingleton(EngagementTime.Key, TimeProvider.System);
        builder.Services.TryAddSingleton(ReminderClock.RealTime);
        builder.Services.AddOptions<MemberOutboxOptions>()
            .Bind(configuration.GetSection(MemberOutboxOptions.SectionName))
            .Validate(o => o.LedgerBatch is >= 1 and <= MemberOutboxOptions.MaxLedgerBatch, $"{MemberOutboxOptions.SectionName}:{nameof(MemberOutboxOptions.LedgerBatch)} must be between 1 and {MemberOutboxOptions.MaxLedgerBatch}.")
            .Validate(o => o.RetryDelaysValid, $"{MemberOutboxOptions.SectionName}:{nameof(MemberOutboxOptions.RetryDelays)} must each be above zero and at most {MemberOutboxOptions.MaxRetryDelay}.")
            .ValidateOnStart();
        AddMemberEffects(builder.Services);
        builder.Services.AddEngagementDomainSerialization();
        return builder;
    }

    /// <summary>
    /// What every member activation shares (<see cref="MemberGrainServices"/>), the member's outbox emitter with one handler per effect kind, its campaign side (the real one when the silo has
    /// campaign services, <c>AddEngagementCampaigns</c>, in any order, else one that does nothing) and its rules source
    /// (the programme metrics' when the silo has them, <c>AddEngagementProgramme</c>, in any order, else the configured rules).
    /// </summary>
    private static void AddMemberEffects(IServiceCollection services)
    {
        services.TryAddSingleton<MemberEffectEmitter>();
        services.TryAddSingleton<MemberGrainServices>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, LedgerArchiveHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, TouchOutboxHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, LifecycleJournalHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, DeadLetterHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, MemberIndexHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, CampaignReportHandler>());
        services.TryAddSingleton<IMemberCampaignSide>(sp => sp.GetService<CampaignServices>() is { } campaigns
            ? ActivatorUtilities.CreateInstance<MemberCampaignSide>(sp, campaigns)
            : NoMemberCampaignSide.Instance);
        services.TryAddSingleton<IMemberRulesSource>(sp => sp.GetService<MemberMetricsSource>() is { } metrics
            ? metrics
            : ConfiguredMemberRules.Instance);
    }

    /// <summary>
    /// In-process ports (ledger archive, touch outbox, poison queue, lifecycle journal) for hosts without
    /// Azure storage: benchmarks of the engine alone, demos. Registered only where none is.
    /// </summary>
    public static ISiloBuilder AddEngagementInMemoryPorts(this ISiloBuilder builder)
    {
        builder.Services.TryAddSingleton<ILedgerArchive, InMemoryLedgerArchive>();
        builder.Services.TryAddSingleton<ITouchOutbox, InMemoryTouchOutbox>();
        builder.Services.TryAddSingleton<IDeadLetterSink, InMemoryDeadLetterSink>();
        builder.Services.TryAddSingleton<ILifecycleJournal, InMemoryLifecycleJournal>();
        return builder;
    }

    /// <summary>The programme options alone, for hosts that run the domain without a silo (simulations).</summary>
    public static IServiceCollection AddEngagementProgram(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<ProgramOptions>()
            .Bind(section)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProgramOptions>, ProgramOptionsValidator>());

        // The validator and parser (Contracts) accept the currencies the programme configures (CONTRACT.md §1).
        services.TryAddSingleton(sp => ToEventCurrencies(sp.GetRequiredService<IOptions<ProgramOptions>>().Value));
        return services;
    }

    /// <summary>The programme currency and every configured one, with their minor units, for event validation.</summary>
    public static EventCurrencies ToEventCurrencies(ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new EventCurrencies(options.Currency, options.CurrencyDecimals, options.Currencies.ToDictionary(c => c.Key, c => c.Value.Decimals, StringComparer.Ordinal));
    }

    /// <summary>
    /// Serializes the domain's types that cross grain calls (member state, programme counters, value-class thresholds)
    /// as JSON: the domain takes no Orleans dependency, so they carry no generated serializers. Every silo and every
    /// Orleans client that loads this assembly's grain interfaces needs it (Orleans checks each interface's types at
    /// start-up); <see cref="AddEngagementGrains"/> calls it for silos.
    /// </summary>
    public static IServiceCollection AddEngagementDomainSerialization(this IServiceCollection services) =>
        services.AddSerializer(s => s.AddJsonSerializer(isSupported: IsDomainType));

    private static bool IsDomainType(Type type) =>
        type.Namespace?.StartsWith("Engagement.Domain", StringComparison.Ordinal) == true || type == typeof(MemberGrainState);

    private sealed class ProgramOptionsValidator : IValidateOptions<ProgramOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProgramOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "Engagement:Program: " + e));
        }
    }
}
