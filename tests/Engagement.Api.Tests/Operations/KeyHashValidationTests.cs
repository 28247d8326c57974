using Engagement.Api.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// Start-up refuses a hashed key that could never sign in (<c>Engagement:Api:KeyHashes</c>): the check reads the value
/// as sign-in does (<see cref="ApiKeyIdentity.Parse"/>), not the role alone.
/// </summary>
public sealed class KeyHashValidationTests
{
    private static readonly string Hash = ApiKeyHashes.Hash("key-hash-validation-test");

    [Theory]
    [InlineData("admin:")] // an empty name: every request with the key would be a 401
    [InlineData("support:   ")]
    [InlineData("nobody")]
    [InlineData("store@")] // no store ids after the @, and no name before it: the role would be "store@"
    public void AHashedKeyWhoseValueSignInCannotReadFailsAtStart(string value) =>
        Assert.Throws<OptionsValidationException>(() => Options(value));

    [Fact]
    public void AHashedKeyWhoseNameIsOverTheLimitFailsAtStart() =>
        Assert.Throws<OptionsValidationException>(() => Options("support:" + new string('n', ApiKeyIdentity.MaxNameLength + 1)));

    [Theory]
    [InlineData("admin")]
    [InlineData("support:Wang Fang")]
    [InlineData("store:till@Mall 3")] // the unbound key "till@Mall 3": a space is not in a store id
    [InlineData("store@S:1")] // the nameless key bound to store S:1
    public void AHashedKeySignInReadsIsAccepted(string value)
    {
        Assert.NotNull(ApiKeyIdentity.Parse(value));
        Assert.Equal(value, Options(value).KeyHashes[Hash]);
    }

    private static ApiKeyOptions Options(string value)
    {
        var services = new ServiceCollection();
        services.AddEngagementApiProtection();
        services.Configure<ApiKeyOptions>(o => o.KeyHashes[Hash] = value);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
    }
}
