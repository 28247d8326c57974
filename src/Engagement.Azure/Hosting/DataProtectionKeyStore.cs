using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>
/// The ASP.NET Core Data Protection key ring of every silo, kept in the engine's storage account (docs/production.md,
/// "Console sign-in across silos, and the load balancer"), so a console cookie made by one silo is read by every other and
/// survives restarts. Each key is one blob in <see cref="Container"/>, written once (If-None-Match: *) and never
/// changed; the ring is every blob there.
/// </summary>
public static class DataProtectionKeyStore
{
    /// <summary>The application name all silos share (Data Protection isolates key use by it).</summary>
    public const string ApplicationName = "Engagement";

    /// <summary>The blob container of the keys.</summary>
    public const string Container = "engagement-dataprotection";

    /// <summary>
    /// Adds Data Protection with application name <see cref="ApplicationName"/> and its keys in <see cref="Container"/> on
    /// the account of <c>ConnectionStrings:AzureStorage</c> (<see cref="EngagementStorageOptions.DevelopmentConnectionString"/>
    /// when unset). The keys are stored unencrypted (no XML encryptor: Data Protection logs a warning saying so once per new
    /// key); whoever can read the account can read them, as they can read everything else the engine stores.
    /// </summary>
    public static IDataProtectionBuilder AddEngagementDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(EngagementStorageOptions.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : EngagementStorageOptions.DevelopmentConnectionString;
        return services.AddEngagementDataProtection(new BlobContainerClient(connectionString, Container));
    }

    /// <summary>Adds Data Protection with application name <see cref="ApplicationName"/> and its keys in <paramref name="container"/>.</summary>
    public static IDataProtectionBuilder AddEngagementDataProtection(this IServiceCollection services, BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(container);
        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository =
                new BlobXmlRepository(container, sp.GetService<ILogger<BlobXmlRepository>>())));
        return builder;
    }
}

/// <summary>
/// An <see cref="IXmlRepository"/> over one blob container: <see cref="StoreElement"/> writes each element as its own
/// blob, once (If-None-Match: *), and <see cref="GetAllElements"/> reads every <c>.xml</c> blob. Creates the container
/// when first used. Storage failures are thrown (<see cref="RequestFailedException"/>); Data Protection then keeps its
/// cached ring. A blob whose name does not end <c>.xml</c>, one deleted between the listing and its download, and one
/// that is not XML (logged as a Warning naming the blob) are left out of the ring, so one stray blob cannot stop the
/// whole ring from loading.
/// </summary>
public sealed partial class BlobXmlRepository : IXmlRepository
{
    private readonly BlobContainerClient _container;

    private readonly Lazy<bool> _created;

    private readonly ILogger _logger;

    /// <summary>A repository over <paramref name="container"/>; <paramref name="logger"/> (none: not logged) gets a
    /// Warning for each blob left out of the ring because it is not XML.</summary>
    public BlobXmlRepository(BlobContainerClient container, ILogger<BlobXmlRepository>? logger = null)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _created = new Lazy<bool>(() => _container.CreateIfNotExists() is not null, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        _ = _created.Value;
        var elements = new List<XElement>();
        foreach (var blob in _container.GetBlobs())
        {
            if (!blob.Name.EndsWith(".xml", StringComparison.Ordinal))
            {
                continue; // not a key or revocation this repository wrote
            }

            string text;
            try
            {
                text = _container.GetBlobClient(blob.Name).DownloadContent().Value.Content.ToString();
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
            {
                continue; // deleted since the listing
            }

            try
            {
                elements.Add(XElement.Parse(text));
            }
            catch (XmlException ex)
            {
                _logger.LogWarning(ex, "Data Protection key blob {Blob} in {Container} is not XML: left out of the key ring", blob.Name, _container.Name);
            }
        }

        return elements;
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        _ = _created.Value;
        var name = (friendlyName is { Length: > 0 and <= 200 } && SafeName().IsMatch(friendlyName) ? friendlyName : Guid.NewGuid().ToString("D")) + ".xml";
        try
        {
            _container.GetBlobClient(name).Upload(
                BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting)),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/xml" },
                });
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.ErrorCode == BlobErrorCode.ConditionNotMet)
        {
            // Written before (a retried store of the same key id): a key is never changed, so the blob stands.
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SafeName();
}
