using Microsoft.Extensions.Configuration;

namespace Engagement.Console.Tests;

/// <summary>
/// A configuration source of API keys a test can add, change and remove while the host runs, each change announced
/// as a configuration reload (as a changed key file or secret would be), so <c>IOptionsMonitor</c> sees it.
/// </summary>
public sealed class ReloadableKeys : ConfigurationProvider, IConfigurationSource
{
    /// <summary>Configures <paramref name="key"/> as <paramref name="value"/> (<c>role</c> or <c>role:name</c>), or removes it when null.</summary>
    public void SetKey(string key, string? value)
    {
        var path = "Engagement:Api:Keys:" + key;
        if (value is null)
        {
            Data.Remove(path);
        }
        else
        {
            Data[path] = value;
        }

        OnReload();
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
