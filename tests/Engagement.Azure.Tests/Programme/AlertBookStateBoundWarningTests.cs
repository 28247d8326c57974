using Engagement.Azure.Tests.Streaming;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// A grain-state bound (Engagement:Storage:MaxGrainStateBytes) below what the alert book may grow to
/// (<see cref="AlertBookBounds.ResolveMaxBytes"/>) is allowed, and said once at startup: a full book's writes would be refused.
/// </summary>
[Collection(BoundedStateMemberCollection.Name)]
public sealed class AlertBookStateBoundWarningTests(BoundedStateMemberCluster cluster)
{
    [Fact]
    public void ASiloWhoseBoundIsBelowTheAlertBookWarnsOnceAtStartup()
    {
        var line = Assert.Single(cluster.Logs.Lines(LogLevel.Warning, "Engagement:Storage:MaxGrainStateBytes is 2048 stored characters, below the 487424 the programme's alert book"));
        Assert.Contains("its writes will be refused and alerts stop", line, StringComparison.Ordinal);
        Assert.Equal(476 * 1024, AlertBookBounds.ResolveMaxBytes);
    }
}
