using Microsoft.AspNetCore.Hosting;

namespace Engagement.Console.Tests;

/// <summary>
/// The console host with the engine clock at <see cref="Evening"/>, 2026-03-10 20:00 UTC: already 2026-03-11 04:00 in
/// Asia/Shanghai, where the programme counts its days; the UTC date is a day behind. Region <see cref="NewYork"/> counts
/// its days in America/New_York, still 2026-03-10 (16:00, UTC-4), so the programme's zones are on different dates.
/// </summary>
public sealed class EveningConsoleHostFixture() : ConsoleHostFixture(Evening)
{
    public static readonly DateTimeOffset Evening = new(2026, 3, 10, 20, 0, 0, TimeSpan.Zero);

    /// <summary>A region in America/New_York (<c>Engagement:Metrics:RegionTimeZones</c>).</summary>
    public const string NewYork = "ny";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting($"Engagement:Metrics:RegionTimeZones:{NewYork}", "America/New_York");
    }
}

// Alone, after the parallel collections: its first test is the first page load of a third host, which starting beside two
// other hosts and their browsers on a 2-core machine once took over the 30 s a page load may take.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EveningConsoleHostCollection : ICollectionFixture<EveningConsoleHostFixture>
{
    public const string Name = "console host, evening in UTC";
}
