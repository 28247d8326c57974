using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The programme health page's log messages.</summary>
public partial class Programme
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Programme health of region {RegionId} from {From} to {To} could not be read; the page says so and offers to read it again")]
    private static partial void LogRegionFailed(ILogger logger, Exception exception, string regionId, DateOnly from, DateOnly to);
}
