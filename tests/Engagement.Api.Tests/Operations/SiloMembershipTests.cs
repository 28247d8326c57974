using Azure.Data.Tables;
using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Issue 14 §2: the silo joins its cluster through the Azure membership table (<c>EngagementSilos</c>) at the address
/// and ports <c>Engagement:Silo</c> gives it, which is what other silos and clients dial; bad settings are refused
/// before anything starts.
/// </summary>
[Collection(OperationsHostCollection.Name)]
public sealed class SiloMembershipTests(OperationsHostFixture host)
{
    [Fact]
    public async Task TheSiloIsActiveInTheMembershipTableAtItsAdvertisedAddressSiloPortAndGatewayPort()
    {
        var table = new TableClient(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"), "EngagementSilos");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == host.ClusterId))
        {
            if (row.GetString("Status") is not null)
            {
                rows.Add(row);
            }
        }

        var silo = Assert.Single(rows);
        Assert.Equal("Active", silo.GetString("Status"));
        Assert.Equal(OperationsHostFixture.AdvertisedAddress, silo.GetString("Address"));
        // The official provider stores the ports as text.
        Assert.Equal(host.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), silo.GetString("Port"));
        Assert.Equal(host.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), silo.GetString("ProxyPort"));
    }

    [Theory]
    [InlineData("AdvertisedAddress", "silo-1.internal", "is not an IP address")]
    [InlineData("ListenAddress", "everywhere", "is not an IP address")]
    [InlineData("Clustering", "Consul", "must be 'AzureStorage' or 'Localhost'")]
    [InlineData("GatewayPort", "11111", "must differ")]
    public void BadSiloSettingsAreRefusedNamingTheKey(string key, string value, string expected)
    {
        var options = new SiloHostOptions();
        typeof(SiloHostOptions).GetProperty(key)!.SetValue(options, key.EndsWith("Port", StringComparison.Ordinal) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value);

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);

        Assert.False(valid);
        var message = Assert.Single(results).ErrorMessage!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains("Engagement:Silo", message, StringComparison.Ordinal);
    }
}
