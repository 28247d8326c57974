using Engagement.Azure.Backup;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// <c>Engagement.Silo backups</c>' local-time column (docs/backups.md, "The commands: backup, backups, restore") showed minutes only, so two on-demand
/// backups started in one minute (<c>20261129-180000</c>, and <c>…-180007</c>, which took the next free second) read
/// the same local time: an operator picking a backup by its local time could not tell them apart.
/// </summary>
public sealed class BackupListingLineTests
{
    [Fact]
    public void TheLocalStartIsShownToTheSecond()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

        Assert.Equal($"20261129-180007  2026-11-30 02:00:07 +08:00  (no manifest: incomplete)  {BackupSource.Unknown}", BackupListing.Line("20261129-180007", null, zone));
        Assert.StartsWith("20261129-180000  2026-11-30 02:00:00 +08:00  ", BackupListing.Line("20261129-180000", null, zone), StringComparison.Ordinal);
    }
}
