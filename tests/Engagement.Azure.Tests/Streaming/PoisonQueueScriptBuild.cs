using System.Diagnostics;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// Builds <c>scripts/poison-queue.cs</c> once for <see cref="PoisonQueueScriptTests"/> with <c>dotnet build</c> (into the
/// SDK's cache for file-based apps, the one the operator's <c>dotnet run scripts/poison-queue.cs</c> builds into), so
/// the tests run the same source with <c>dotnet run --no-build</c> and the compile (about two minutes on a loaded
/// 2-core machine) lands in no test's own deadline.
/// </summary>
public sealed class PoisonQueueScriptBuild : IAsyncLifetime
{
    /// <summary>The build's deadline: a clean machine's first build restores Azure.Storage.Queues and compiles.</summary>
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(10);

    private string? _failure;

    /// <summary>The repository's root (the directory holding Engagement.sln above the test's binaries).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The script's full path.</summary>
    public static string Script { get; } = Path.Combine(Root, "scripts", "poison-queue.cs");

    /// <summary>
    /// Throws when the class's build failed or timed out (each test then fails with the build's own output rather than
    /// a run of a stale or missing build).
    /// </summary>
    /// <exception cref="InvalidOperationException">The build failed; the message holds its exit code and output.</exception>
    public void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException(_failure);
        }
    }

    /// <summary>A <c>dotnet</c> start in the repository's root with its output read and the SDK's banners off.</summary>
    public static ProcessStartInfo Dotnet(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    /// <summary>Runs <paramref name="info"/> to its end within <paramref name="deadline"/>; its exit code and output.</summary>
    /// <exception cref="TimeoutException">It ran past <paramref name="deadline"/> (its process tree is killed).</exception>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, TimeSpan deadline)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', info.ArgumentList)} did not finish within {deadline}: {await stdout} {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var (exitCode, stdout, stderr) = await RunAsync(Dotnet(["build", Script]), BuildDeadline);
        if (exitCode != 0)
        {
            _failure = $"dotnet build {Script} exited {exitCode}: {stdout} {stderr}";
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engagement.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Engagement.sln not found above " + AppContext.BaseDirectory);
    }
}
