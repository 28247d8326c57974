using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Hosting;

/// <summary>
/// The clock the API checks and defaults instants by: the engine's own (the keyed <see cref="TimeProvider"/>
/// <c>"engagement"</c>, <c>Engagement.Grains.Hosting.EngagementTime.Key</c>), so the API and the rules agree on "now"
/// even when a test pins or speeds up the engine clock; the host's <see cref="TimeProvider"/> where there is none.
/// </summary>
internal static class EngineClock
{
    public const string Key = "engagement";

    public static TimeProvider Of(IServiceProvider services) =>
        services.GetKeyedService<TimeProvider>(Key) ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
}
