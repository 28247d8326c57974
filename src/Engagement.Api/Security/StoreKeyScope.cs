using System.Security.Claims;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Security;

/// <summary>
/// Which stores a <c>store</c> key may act for (docs/http-api.md, roles; CONTRACT.md §4 is silent). A key configured
/// <c>store:POS S001@S001</c> (or <c>@S001,S002</c>) is bound: every store-role write naming another <c>storeId</c>
/// (<c>PUT /stores/{storeId}/inventory</c>, <c>PUT /catalogue/{rewardId}/stock</c>, coupon, catalogue and points
/// redemptions, priority bookings, <c>POST /events</c>) is refused 403 with problem details naming <c>storeId</c>, so a
/// till cannot pass another store's coupon scope nor move another store's region. A store key with no <c>@</c> is
/// unbound and, as before, may name any store; each is warned about at start (<see cref="UnboundStoreKeyWarning"/>).
/// Admin keys are never bound.
/// </summary>
public static class StoreKeyScope
{
    /// <summary>
    /// The stores <paramref name="user"/> is bound to: null when it may name any store (an admin, any other role, an
    /// unbound store key).
    /// </summary>
    public static IReadOnlySet<string>? BoundStores(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsInRole(ApiRoles.Store) || user.IsInRole(ApiRoles.Admin))
        {
            return null;
        }

        var stores = user.FindAll(ApiKeyIdentity.StoreClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return stores.Count == 0 ? null : stores;
    }

    /// <summary>True when <paramref name="user"/> may act for <paramref name="storeId"/> (an absent store id is not another store's).</summary>
    public static bool Allows(ClaimsPrincipal user, string? storeId) =>
        storeId is null || BoundStores(user) is not { } bound || bound.Contains(storeId);

    /// <summary>What the refusal says: the store named and the stores the key is bound to.</summary>
    public static string Message(ClaimsPrincipal user, string storeId) =>
        $"this store key is bound to {string.Join(", ", (BoundStores(user) ?? new HashSet<string>()).Order(StringComparer.Ordinal))} and may not act for store {storeId}";

    /// <summary>
    /// Null when <paramref name="user"/> may act for <paramref name="storeId"/>; else 403 problem details naming
    /// <c>storeId</c> (<c>errors.storeId</c>, <c>field</c>).
    /// </summary>
    public static IResult? Refusal(ClaimsPrincipal user, string? storeId) =>
        Allows(user, storeId)
            ? null
            : Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Not allowed for this store key",
                detail: Message(user, storeId!),
                extensions: new Dictionary<string, object?>
                {
                    ["field"] = "storeId",
                    ["errors"] = new Dictionary<string, string[]> { ["storeId"] = [Message(user, storeId!)] },
                });
}

/// <summary>
/// At start, one line per configured <c>store</c> key naming its binding (<see cref="ApiKeyIdentity.StoresOf"/>): the
/// stores a bound key may act for, or a warning for a key bound to no store (it may name any store). A named key bound to
/// one store id shaped like the end of an e-mail address (<c>store:ops@example.com</c>) is warned about too, naming the
/// setting (never the key itself, a secret) and how to write it if the <c>@</c> was part of the name
/// (<see cref="ApiKeyIdentity.DomainShapedStore"/>); it binds as read and the silo starts.
/// </summary>
internal sealed partial class UnboundStoreKeyWarning(IOptions<ApiKeyOptions> keys, ILogger<UnboundStoreKeyWarning> logger) : IHostedService
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Store key {KeyName} is bound to no store: it may redeem, sell and set inventory for any storeId; bind it with {Example}")]
    private static partial void LogUnbound(ILogger logger, string keyName, string example);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store key {KeyName} is bound to stores {StoreIds}")]
    private static partial void LogBound(ILogger logger, string keyName, string storeIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store key {KeyName} in {Setting} is bound to store {StoreId}, which looks like the end of an e-mail address; if the '@' is part of the key's name, write {AsBoundName} (with the key's store id for S001) or, unbound, {AsUnboundName}")]
    private static partial void LogDomainShaped(ILogger logger, string keyName, string setting, string storeId, string asBoundName, string asUnboundName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Named by the setting, never by the Keys entry's own name: that is the key, a secret (a KeyHashes name is its hash).
        var values = keys.Value.Keys.Values.Select(value => (Setting: $"{ApiKeyOptions.SectionName}:Keys", Value: value))
            .Concat(keys.Value.KeyHashes.Select(pair => (Setting: $"{ApiKeyOptions.SectionName}:KeyHashes:{pair.Key}", pair.Value)));
        foreach (var (setting, value) in values)
        {
            if (ApiKeyIdentity.Parse(value) is not ({ } role, { } name) || role != ApiRoles.Store)
            {
                continue;
            }

            if (ApiKeyIdentity.StoresOf(value) is { } stores)
            {
                var storeIds = string.Join(",", stores.Order(StringComparer.Ordinal));
                LogBound(logger, name, storeIds);
                if (ApiKeyIdentity.DomainShapedStore(value) is { } shaped)
                {
                    LogDomainShaped(logger, shaped.Name, setting, shaped.StoreId, shaped.AsBoundName ?? "-", shaped.AsUnboundName ?? "-");
                }
            }
            else
            {
                LogUnbound(logger, name, $"{ApiRoles.Store}:{name}@<storeId>");
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
