using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Security;

/// <summary>Authenticates a request by its <c>X-Api-Key</c> header and gives it the key's role.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if ((!Request.Headers.TryGetValue(ApiKeyOptions.HeaderName, out var values) || string.IsNullOrEmpty(values.ToString()))
            && (values = ApiKeyHashes.BasicPassword(Request)).Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var key = values.ToString();
        if (!ApiKeyHashes.TryResolve(keys.CurrentValue, key, out var value)
            || ApiKeyIdentity.Principal(value, SchemeName) is not { } principal)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        ApiKeyHashes.OfferBasicLogin(Request, Response);
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "API key required",
            detail: $"Send a valid key in the {ApiKeyOptions.HeaderName} header.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not allowed for this key's role",
            detail: "The API key is valid but its role may not call this endpoint.").ExecuteAsync(Context);
    }
}
