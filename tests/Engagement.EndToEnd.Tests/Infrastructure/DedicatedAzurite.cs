using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// An Azurite of the test's own (through <c>scripts/azurite</c>), on ports and a data directory fixed at the first
/// start, so the test can stop it — a storage outage — and start it again over the same data, as storage comes back.
/// </summary>
public sealed partial class DedicatedAzurite : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "engagement-e2e-azurite-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly int _blobPort = SiloProcess.FreePort();
    private readonly int _queuePort = SiloProcess.FreePort();
    private readonly int _tablePort = SiloProcess.FreePort();
    private int? _pid;

    private DedicatedAzurite()
    {
    }

    /// <summary>The connection string; the same across restarts.</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<DedicatedAzurite> StartAsync()
    {
        var azurite = new DedicatedAzurite();
        await azurite.StartAgainAsync();
        return azurite;
    }

    /// <summary>Starts it (again) on the same ports and data; returns once every service answers.</summary>
    public async Task StartAgainAsync()
    {
        if (_pid is not null)
        {
            throw new InvalidOperationException("Azurite is already running");
        }

        var output = await ScriptAsync(["start", _dataDirectory], new Dictionary<string, string>
        {
            ["AZURITE_BLOB_PORT"] = _blobPort.ToString(CultureInfo.InvariantCulture),
            ["AZURITE_QUEUE_PORT"] = _queuePort.ToString(CultureInfo.InvariantCulture),
            ["AZURITE_TABLE_PORT"] = _tablePort.ToString(CultureInfo.InvariantCulture),
        });
        _pid = int.Parse(PidLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        ConnectionString = ConnectionStringLine().Match(output).Groups[1].Value;
    }

    /// <summary>Stops it (SIGTERM, so it saves its data) and returns once no port answers any more.</summary>
    public async Task StopAsync()
    {
        if (_pid is not { } pid)
        {
            return;
        }

        await ScriptAsync(["stop", pid.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string>());
        _pid = null;
        await Poll.UntilAsync(() => Task.FromResult(!Answers(_tablePort) && !Answers(_queuePort)), TimeSpan.FromSeconds(15), "Azurite's ports closed");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp directory; harmless.
        }
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<string> ScriptAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", "azurite"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/azurite {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static string RepositoryRoot()
    {
        // tests/Engagement.EndToEnd.Tests/bin/{Configuration}/{framework} → the repository root.
        return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
    }

    [GeneratedRegex(@"export AZURITE_PID=(\d+)")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"export AZURE_STORAGE_CONNECTION_STRING='([^']+)'")]
    private static partial Regex ConnectionStringLine();
}
