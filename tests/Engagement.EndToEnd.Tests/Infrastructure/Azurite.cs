namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>The Azurite that scripts/test starts; see tests/Engagement.Azure.Tests for the same rule.</summary>
public static class Azurite
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
}
