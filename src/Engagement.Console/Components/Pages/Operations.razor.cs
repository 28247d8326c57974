using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The operations page's log messages.</summary>
public partial class Operations
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The operations page could not read its {Figure}; its tile says so and the other tiles show theirs")]
    private static partial void LogFigureFailed(ILogger logger, Exception exception, string figure);
}
