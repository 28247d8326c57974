using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Issue 14 §4: a backup covers every table the engine owns, as the host configures them. A table renamed in
/// configuration (<c>Engagement:Storage:*TableName</c>, <c>Engagement:Campaigns:MemberIndexTableName</c>) to a name
/// outside <see cref="BackupOptions.TablePrefix"/> is still copied, grain state first, and the membership table is
/// left out under whatever name it has; the schedule runs in the programme's time zone unless told otherwise.
/// Against Azurite, through the services <c>AddEngagementBackups</c> registers.
/// </summary>
public sealed class BackupCoverageTests
{
    private static Dictionary<string, string?> Settings(string suffix, string container) => new()
    {
        ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
        ["Engagement:Backup:Enabled"] = "false",
        ["Engagement:Backup:TablePrefix"] = "Bc" + suffix,
        ["Engagement:Backup:Container"] = container,
        ["Engagement:Storage:GrainStateTableName"] = "State" + suffix,
        ["Engagement:Storage:ReminderTableName"] = "Rem" + suffix,
        ["Engagement:Storage:LedgerTableName"] = "Led" + suffix,
        ["Engagement:Storage:MetricsTableName"] = "Met" + suffix,
        ["Engagement:Storage:MembershipTableName"] = "Bc" + suffix + "Cluster",
        ["Engagement:Campaigns:MemberIndexTableName"] = "Idx" + suffix,
    };

    private static ServiceProvider Services(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<EngagementStorageOptions>()
            .Bind(configuration.GetSection(EngagementStorageOptions.SectionName))
            .Configure(o => o.ConnectionString = Azurite.ConnectionString);
        services.AddEngagementBackups(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task ATableRenamedOutsideThePrefixIsBackedUpAndRestoredAndTheMembershipTableIsLeftOut()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var container = Azurite.UniqueName("backups-");
        var settings = Settings(suffix, container);
        string[] engine = ["State" + suffix, "Rem" + suffix, "Led" + suffix, "Met" + suffix, "Idx" + suffix, "Bc" + suffix + "Audit"];
        var membership = "Bc" + suffix + "Cluster";
        var tables = new TableServiceClient(Azurite.ConnectionString);
        try
        {
            foreach (var table in engine.Append(membership))
            {
                await tables.CreateTableIfNotExistsAsync(table);
                await tables.GetTableClient(table).AddEntityAsync(new TableEntity("p", "r") { ["Value"] = table });
            }

            await using var services = Services(settings);
            var manifest = await services.GetRequiredService<TableBackup>().RunAsync();

            Assert.Equal("State" + suffix, manifest.Tables[0].Table);
            Assert.Equal(engine.Order(StringComparer.Ordinal), manifest.Tables.Select(t => t.Table).Order(StringComparer.Ordinal));
            Assert.All(manifest.Tables, t => Assert.Equal(1, t.Rows));

            foreach (var table in engine)
            {
                await tables.DeleteTableAsync(table);
            }

            var progress = new List<string>();
            var restored = await services.GetRequiredService<TableRestore>().RunAsync(manifest.Name, new ListProgress(progress));

            Assert.Equal(engine.Order(StringComparer.Ordinal), restored.Keys.Order(StringComparer.Ordinal));
            Assert.Contains(progress, p => p.StartsWith($"cut Led{suffix} at the state of", StringComparison.Ordinal));
            foreach (var table in engine)
            {
                Assert.Equal(table, (await tables.GetTableClient(table).GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Value"));
            }
        }
        finally
        {
            foreach (var table in engine.Append(membership))
            {
                await StorageClients.DeleteTableQuietlyAsync(table);
            }

            await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(container).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task TheScheduleFollowsTheProgrammesTimeZoneUnlessTheBackupNamesItsOwn()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
            ["Engagement:Backup:Enabled"] = "false",
            ["Engagement:Metrics:TimeZone"] = "Europe/Berlin",
        };
        await using (var services = Services(settings))
        {
            Assert.Equal("Europe/Berlin", services.GetRequiredService<IOptions<BackupOptions>>().Value.TimeZone);
        }

        settings["Engagement:Backup:TimeZone"] = "America/New_York";
        await using (var services = Services(settings))
        {
            Assert.Equal("America/New_York", services.GetRequiredService<IOptions<BackupOptions>>().Value.TimeZone);
        }

        settings.Remove("Engagement:Backup:TimeZone");
        settings.Remove("Engagement:Metrics:TimeZone");
        await using (var services = Services(settings))
        {
            Assert.Equal("Asia/Shanghai", services.GetRequiredService<IOptions<BackupOptions>>().Value.TimeZone);
        }
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
