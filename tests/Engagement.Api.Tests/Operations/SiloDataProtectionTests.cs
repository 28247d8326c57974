using System.Net;
using System.Xml.Linq;
using Azure.Storage.Blobs;
using Engagement.Azure.Hosting;
using Engagement.Console.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Console sessions across silos (docs/production.md, "Console sign-in across silos, and the load balancer"): every silo keeps its
/// Data Protection keys in the storage account's <c>engagement-dataprotection</c> container under one application name,
/// so a console cookie one silo made is read by another, and by a silo started again. The "other silo" here is a
/// second host's services with the silo's Data Protection wiring on the same Azurite account; before the fix each host
/// kept its own keys (in ~/.aspnet/DataProtection-Keys), the other host could not read the cookie and the silo sent a
/// cookie from elsewhere to <c>/console/signin</c>.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class SiloDataProtectionTests(ApiHostFixture host)
{
    private const string CookieName = "engagement.console";

    [Fact]
    public async Task AConsoleCookieFromOneSiloIsReadByAnotherAndAfterARestart()
    {
        using var client = PlainClient();
        using var signIn = await client.PostAsync("console/session", new FormUrlEncodedContent([new("key", ApiHostFixture.AdminKey)]));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = SessionCookie(signIn);

        // The other silo reads the silo's cookie: the same key ring, found in storage.
        await using (var other = OtherSilo())
        {
            var ticket = Format(other).Unprotect(cookie);
            Assert.NotNull(ticket);
            Assert.True(ticket.Principal.IsInRole("admin"));
        }

        // Started again (a new process: nothing cached), it still reads it, and a cookie it makes is read by the silo.
        string made;
        await using (var restarted = OtherSilo())
        {
            var format = Format(restarted);
            var ticket = format.Unprotect(cookie);
            Assert.NotNull(ticket);
            made = format.Protect(ticket);
        }

        Assert.NotEqual(cookie, made);
        using var page = new HttpRequestMessage(HttpMethod.Get, "console");
        page.Headers.Add("Cookie", $"{CookieName}={made}");
        using var response = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var anonymous = await client.GetAsync("console");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode); // the page does need the session
    }

    [Fact]
    public async Task AKeyIsOneBlobWrittenOnceAndTheRingIsEveryBlob()
    {
        var container = new BlobContainerClient(Connection(), "dptest-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var repository = new BlobXmlRepository(container);
            Assert.Empty(repository.GetAllElements()); // creates the container

            repository.StoreElement(new XElement("key", new XAttribute("id", "a")), "key-a");
            var etag = (await container.GetBlobClient("key-a.xml").GetPropertiesAsync()).Value.ETag;
            repository.StoreElement(new XElement("key", new XAttribute("id", "changed")), "key-a"); // never overwritten
            repository.StoreElement(new XElement("revocation"), "revocation:odd/name"); // a name unfit for a blob gets its own

            Assert.Equal(etag, (await container.GetBlobClient("key-a.xml").GetPropertiesAsync()).Value.ETag);
            var ring = new BlobXmlRepository(container).GetAllElements();
            Assert.Equal(2, ring.Count);
            Assert.Contains(ring, e => e.Name == "key" && (string?)e.Attribute("id") == "a");
            Assert.DoesNotContain(ring, e => (string?)e.Attribute("id") == "changed");
            Assert.Contains(ring, e => e.Name == "revocation");
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AJunkBlobOrANonXmlNameBesideARealKeyLeavesTheRingLoading()
    {
        // Before: XElement.Parse threw on the first blob that was not XML (an XmlException out of GetAllElements), so the
        // whole ring failed to load and every console request failed on a fresh silo.
        var container = new BlobContainerClient(Connection(), "dptest-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var repository = new BlobXmlRepository(container);
            repository.StoreElement(new XElement("key", new XAttribute("id", "real")), "key-real");
            await container.UploadBlobAsync("junk.xml", BinaryData.FromString("this is not XML"));
            await container.UploadBlobAsync("notes.txt", BinaryData.FromString("<key id=\"not-a-key\" />"));

            var ring = new BlobXmlRepository(container).GetAllElements();

            var key = Assert.Single(ring);
            Assert.Equal("real", (string?)key.Attribute("id"));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    private HttpClient PlainClient()
    {
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
    }

    private static string SessionCookie(HttpResponseMessage response)
    {
        var header = response.Headers.GetValues("Set-Cookie").Single(h => h.StartsWith(CookieName + "=", StringComparison.Ordinal));
        return header[(CookieName.Length + 1)..header.IndexOf(';', StringComparison.Ordinal)];
    }

    private static ServiceProvider OtherSilo()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddEngagementDataProtection(new BlobContainerClient(Connection(), DataProtectionKeyStore.Container));
        return services.BuildServiceProvider();
    }

    // The cookie handler's own protector (CookieAuthenticationHandler's purposes for the console's scheme).
    private static TicketDataFormat Format(IServiceProvider services) =>
        new(services.GetRequiredService<IDataProtectionProvider>().CreateProtector(
            "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", ConsoleHostingExtensions.CookieScheme, "v2"));

    private static string Connection() =>
        Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
}
