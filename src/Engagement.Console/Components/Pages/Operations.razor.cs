using Engagement.Console.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The operations page's log messages.</summary>
public partial class Operations
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The operations page could not read its {Figure}; its tile says so and the other tiles show theirs")]
    private static partial void LogFigureFailed(ILogger logger, Exception exception, string figure);

    /// <summary>The silo's queue-depth sample interval, whose double a count's age may reach before the tile calls it stale.</summary>
    private TimeSpan SampleEvery() =>
        Config.GetValue<TimeSpan?>("Engagement:Operations:QueueDepthSampleEvery") ?? OperationsGauges.DefaultSampleEvery;
}
