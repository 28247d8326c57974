namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>
/// The Azurite that scripts/test starts (real storage, never a mock). Run the tests through
/// scripts/test, or start one of your own with `eval "$(scripts/azurite start /tmp/test-azurite)"` (docs/running-locally.md, "Running the tests"; without a
/// DIR it takes .azurite/data, refused while scripts/run holds it) and export its connection string.
/// </summary>
public static class Azurite
{
    public const string EnvironmentVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests with scripts/test, which starts Azurite, " +
                "or start one yourself: eval \"$(scripts/azurite start /tmp/test-azurite)\".");

    /// <summary>
    /// A second account in the same Azurite (<c>engagementbackup</c>; scripts/azurite starts Azurite with it, beside
    /// devstoreaccount1): backups kept apart from the data (<c>ConnectionStrings:BackupStorage</c>).
    /// </summary>
    public static string BackupAccountConnectionString => Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING");

    /// <summary>A third account that no test keeps data in (<c>engagementspare</c>): a restore into a new account.</summary>
    public static string SpareAccountConnectionString => Variable("AZURE_STORAGE_SPARE_CONNECTION_STRING");

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{name} is not set. Run the tests with scripts/test, which starts Azurite with the accounts the tests use, " +
                "or start one yourself: eval \"$(scripts/azurite start /tmp/test-azurite)\".");

    /// <summary>A table/queue name unique to one test, so tests never see each other's data.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
}
