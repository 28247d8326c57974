using Engagement.Api.Campaigns;
using Engagement.Api.Events;
using Engagement.Api.Members;
using Engagement.Api.Offers;
using Engagement.Api.Problems;
using Engagement.Api.Programme;
using Engagement.Api.Reports;
using Engagement.Api.Security;
using Engagement.Api.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Hosting;

/// <summary>Wires the HTTP API: API-key auth and roles, problem details, OpenAPI, endpoint groups, health.</summary>
public static class ApiHostingExtensions
{
    /// <summary>
    /// Health checks tagged with this run for <c>/health/ready</c> (the silo's: storage reachable, the silo Active in
    /// its cluster with its queue readers running); its body names each check's status and why (<see cref="HealthResponse"/>).
    /// </summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddEngagementApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiKeyOptions>()
            .Bind(configuration.GetSection(ApiKeyOptions.SectionName))
            .Validate(o => o.Keys.Values.All(v => ApiKeyIdentity.Parse(v) is not null), "Engagement:Api:Keys values must be support, marketing, admin or store, optionally followed by :name (a store key then by @storeId[,storeId…])")
            .Validate(o => o.Keys.Keys.All(k => k.Length >= 8), "Engagement:Api:Keys keys must be at least 8 characters")
            .ValidateOnStart();

        services.AddEngagementApiProtection();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiRoles.ReadPolicy, p => p.RequireRole(ApiRoles.Support, ApiRoles.Marketing, ApiRoles.Admin))
            .AddPolicy(ApiRoles.CampaignPolicy, p => p.RequireRole(ApiRoles.Marketing, ApiRoles.Admin))
            .AddPolicy(ApiRoles.AdminPolicy, p => p.RequireRole(ApiRoles.Admin))
            .AddPolicy(SupportEndpoints.SupportPolicy, p => p.RequireRole(ApiRoles.Support, ApiRoles.Admin))
            .AddPolicy(ApiRoles.StorePolicy, p => p.RequireRole(ApiRoles.Store, ApiRoles.Admin))
            .AddPolicy(ApiRoles.OffersReadPolicy, p => p.RequireRole(ApiRoles.Support, ApiRoles.Marketing, ApiRoles.Admin, ApiRoles.Store))
            .AddPolicy(ApiRoles.TillPolicy, p => p.RequireRole(ApiRoles.Store, ApiRoles.Admin))
            .AddPolicy(ApiRoles.MemberViewPolicy, p => p.RequireRole(ApiRoles.Support, ApiRoles.Marketing, ApiRoles.Admin, ApiRoles.Store));

        services.AddProblemDetails(o => o.CustomizeProblemDetails = BadRequestProblemHandler.NameTheBodyOfA413);

        // Reading a request never ends in a 500: a body over its limit is a 413, JSON or a query value that does
        // not bind is a 400, each as problem details naming the field (BadRequestProblemHandler).
        services.AddExceptionHandler<BadRequestProblemHandler>();
        services.AddExceptionHandler<UnavailableProblemHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = RequestLimits.MaxJsonBodyBytes);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;

            // {"points":10,"points":600} spent 600 (the last value won, silently): a key given twice in any body is a
            // 400 naming it (JsonFieldErrors.GivenTwice), never resolved to one of its values.
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddOpenApi("v1");
        services.AddEngagementMemberDeadlines(configuration);
        services.AddHealthChecks();
        services.AddSingleton<ReadinessLog>();
        services.TryAddTimeProvider();
        services.AddEngagementSupportServices(configuration);
        services.AddEngagementOfferServices();
        services.AddEngagementProgrammeViews(configuration);
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    public static WebApplication MapEngagementApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        // A JSON body (other than the events batch, read by its own reader) is kept to be read again, so a whole number past
        // its field's integer type is told the field's range rather than "the wrong type" (IntegerOverflow).
        app.Use((context, next) =>
        {
            if (context.Request.HasJsonContentType() && !context.Request.Path.StartsWithSegments("/api/v1/events", StringComparison.OrdinalIgnoreCase))
            {
                context.Request.EnableBuffering();
                IntegerOverflow.Remember(context);
            }

            return next(context);
        });
        app.UseStatusCodePages();
        // Before authentication: a request with a guessed key is refused with 401 by authorization, so a limiter after
        // it would never count the guesses (ApiRateLimiting puts unknown keys on their address's allowance).
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapMemberEndpoints();
        app.MapEventEndpoints();
        app.MapReportEndpoints();
        app.MapCampaignEndpoints();
        app.MapSupportEndpoints();
        app.MapOfferEndpoints();
        app.MapProgrammeEndpoints();
        foreach (var prefix in new[] { "/api/v1/health", "/health" })
        {
            app.MapHealthChecks(prefix + "/live", new HealthCheckOptions { Predicate = _ => false });
            app.MapHealthChecks(prefix + "/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });
        }

        _ = app.Services.GetRequiredService<IOptions<ApiKeyOptions>>();
        return app;
    }
}
