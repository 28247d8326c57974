using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The member grain takes its rules source from DI (no service locator): the programme metrics' source when the silo
/// registers programme metrics, whichever extension is called first; otherwise the configured rules and no metrics.
/// </summary>
public sealed class MemberRulesWiringTests
{
    [Fact]
    public async Task Without_programme_metrics_the_member_decides_with_the_configured_rules_and_records_no_metrics()
    {
        using var host = Build(silo => silo.AddEngagementGrains(Empty()));

        var source = host.Services.GetRequiredService<IMemberRulesSource>();
        var program = new ProgramOptions();
        var rules = await source.RulesAsync(program);

        Assert.IsType<ConfiguredMemberRules>(source);
        Assert.Same(program, rules.Program);
        Assert.Null(rules.Metrics);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_programme_metrics_the_member_takes_the_metrics_source_whatever_the_order(bool programmeFirst)
    {
        using var host = Build(silo =>
        {
            if (programmeFirst)
            {
                silo.AddEngagementProgramme(Empty(), startAlerts: false);
            }

            silo.AddEngagementGrains(Empty());
            if (!programmeFirst)
            {
                silo.AddEngagementProgramme(Empty(), startAlerts: false);
            }
        });

        var source = host.Services.GetRequiredService<IMemberRulesSource>();

        Assert.Same(host.Services.GetRequiredService<MemberMetricsSource>(), source);
    }

    private static IConfiguration Empty() => new ConfigurationBuilder().Build();

    private static IHost Build(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            configure(silo);
        });
        return builder.Build();
    }
}
