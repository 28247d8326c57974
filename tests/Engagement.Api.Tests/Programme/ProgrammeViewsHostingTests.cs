using Engagement.Api.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// <see cref="ProgrammeViewsHosting.AddEngagementProgrammeViews"/>: the views read through an <see cref="IProgrammeDaysReader"/>
/// the programme's hosting registers; a host without one fails at start, not on its first programme request.
/// </summary>
public sealed class ProgrammeViewsHostingTests
{
    [Fact]
    public async Task AHostWithTheViewsButNoDaysReaderFailsAtStartNamingIt()
    {
        using var host = Build(withReader: false);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("IProgrammeDaysReader", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostWithTheViewsAndADaysReaderStarts()
    {
        using var host = Build(withReader: true);

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Build(bool withReader)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEngagementProgrammeViews(builder.Configuration);
        if (withReader)
        {
            builder.Services.AddSingleton<IProgrammeDaysReader, NoDays>();
        }

        return builder.Build();
    }

    private sealed class NoDays : IProgrammeDaysReader
    {
        public Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to) => Task.FromResult<IReadOnlyList<DayCounters>>([]);

        public Task<long> MembersAsync(string? regionId) => Task.FromResult(0L);
    }
}
