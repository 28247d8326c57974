using Engagement.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's host gives a stopping silo 45 s (<c>Engagement:Silo:ShutdownTimeout</c>), not the host's 30 s: a silo
/// stopped mid-backup may spend 3 × 8 s releasing its claim, and a release cut short by the host leaves the backup to
/// be found stalled and reported failed (docs/backups.md, "A silo killed or stopped mid-copy"). The hosts are built, never stopped on a timer.
/// </summary>
[Collection(OperationsHostCollection.Name)]
public sealed class SiloShutdownTimeoutTests(OperationsHostFixture host)
{
    [Fact]
    public void TheSiloHostBuiltByProgramCarriesA45SecondShutdownTimeout()
    {
        var options = host.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(45), options.ShutdownTimeout);
    }

    [Fact]
    public void AConfiguredShutdownTimeoutIsTheHostsAndOverridesTheHostsOwnSetting()
    {
        using var built = Build(("Engagement:Silo:ShutdownTimeout", "00:01:30"), ("shutdownTimeoutSeconds", "5"));

        Assert.Equal(TimeSpan.FromSeconds(90), built.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("00:00:10")]
    [InlineData("00:10:01")]
    public void AShutdownTimeoutOutOfBoundsIsRefusedNamingTheKey(string value)
    {
        // The host reads its options as it is built: a bad value stops it there.
        var refused = Assert.Throws<OptionsValidationException>(() => Build(("Engagement:Silo:ShutdownTimeout", value)).Dispose());
        Assert.Contains("Engagement:Silo:ShutdownTimeout", refused.Message, StringComparison.Ordinal);
        Assert.Contains("must be from 00:00:30 to 00:10:00", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A plain host (no silo) with the silo host's settings wiring and <paramref name="settings"/>.</summary>
    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddEngagementSiloHost(builder.Configuration);
        return builder.Build();
    }
}
