using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Hosting;

/// <summary>
/// What a production start logs (docs/running-locally.md, "What the silo logs"): the real silo program from its build output, as an operator
/// ran it. It used to warn at every start <c>StaticFileMiddleware: The WebRootPath was not found: …/wwwroot</c>: the
/// silo has no wwwroot, and ASP.NET Core's development fallback for static files missing from the build manifest
/// looked there; <c>appsettings.json</c> now turns that fallback off. Without a coupon secret it says so as an Error.
/// The production start read is <see cref="SharedSilo"/>'s, which starts with the defaults and no coupon secret.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class SiloStartWarningsTests(SharedSilo shared)
{
    [Fact]
    public void AProductionStartHasNoWebRootWarningAndNamesAMissingCouponSecret()
    {
        var output = shared.Silo.Output;

        Assert.DoesNotContain("WebRootPath", output, StringComparison.Ordinal);
        Assert.Contains("ERR] Engagement.Silo.CouponSecretCheck: Engagement:Offers:CouponSecret is not set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedStartIsLoggedAsFatalUnderTheSilosSourceContext()
    {
        // The static logger had no source context: "[… FTL] : The engagement silo stopped on an error", where every other
        // line of the silo names one (docs/running-locally.md "What the silo logs").
        var (exitCode, output) = await DotnetCommand.RunAsync(
            SiloProcess.LocateSiloDll(),
            [],
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["ConnectionStrings__AzureStorage"] = "not-a-connection-string" },
            TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 1, output);
        Assert.Contains("FTL] Engagement.Silo: The engagement silo stopped on an error", output, StringComparison.Ordinal);
        // The line is about the bad connection string: its exception is printed with it, not some other failure.
        Assert.Contains("System.FormatException", output, StringComparison.Ordinal);
    }
}
