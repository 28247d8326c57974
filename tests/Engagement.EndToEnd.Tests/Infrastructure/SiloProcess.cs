using System.Diagnostics;
using System.Net;
using System.Text;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real silo (Engagement.Silo.dll) as a separate process, configured the way an operator would:
/// environment variables only. Tests kill it (SIGKILL) and start it again over the same storage.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string AdminKey = "e2e-admin-key";
    public const string SupportKey = "e2e-support-key";
    public const string MarketingKey = "e2e-marketing-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, Uri baseAddress, SiloSettings settings)
    {
        _process = process;
        BaseAddress = baseAddress;
        Settings = settings;
    }

    public Uri BaseAddress { get; }

    public SiloSettings Settings { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The engine clock's start sent to the process (<c>Engagement:Testing:ClockStart</c>).</summary>
    public DateTimeOffset ClockStart { get; private init; }

    /// <summary>The monotonic timestamp taken just before the process was started.</summary>
    public long LaunchedTimestamp { get; private init; }

    /// <summary>
    /// An upper bound of the silo's engine clock when it runs <paramref name="speed"/> times faster than real time
    /// (<c>Engagement:Testing:ClockSpeed</c>): the process starts its accelerated clock after it was launched, so
    /// its engine now is at most <see cref="ClockStart"/> plus the real time since launch times the speed. A slow
    /// start on a loaded machine moves the engine clock on by days; a test dates its events by this, not by
    /// <see cref="SiloSettings.Clock"/>, which runs at real speed.
    /// </summary>
    public DateTimeOffset EngineNowAtMost(double speed) => ClockStart + Stopwatch.GetElapsedTime(LaunchedTimestamp) * speed;

    /// <summary>Everything the silo wrote, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// The test host's environment variable that, set to <c>0</c>, starts the silos without <see cref="CpuSparing"/>
    /// (to measure what it saves: the same tests in one build, with and without).
    /// </summary>
    public const string CpuSparingSwitch = "ENGAGEMENT_E2E_CPU_SPARING";

    /// <summary>
    /// Settings every test silo starts with unless its <see cref="SiloSettings.Extra"/> says otherwise: they spare CPU
    /// and change nothing a test asserts. The suite runs on 2 cores kept busy from the first test to the last, and a silo
    /// spends most of its seconds of CPU starting and just after. <c>DOTNET_TieredPGO=0</c>: no instrumented tier, whose
    /// profile only pays back in a process that runs for hours. <c>Engagement:Operations:Dashboard</c> off: the
    /// Orleans Dashboard's silo parts profile every grain call and push statistics every second, for a page no
    /// end-to-end test opens (the API tests cover it; the <see cref="SharedSilo"/>, whose start log is the production
    /// one, keeps it). Nothing else changes; <see cref="CpuSparingSwitch"/> set to 0 starts silos without them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CpuSparing = new Dictionary<string, string>
    {
        ["DOTNET_TieredPGO"] = "0",
        ["Engagement__Operations__Dashboard"] = "false",
    };

    public static async Task<SiloProcess> StartAsync(SiloSettings settings, TimeSpan? readyWithin = null)
    {
        var dll = LocateSiloDll();
        var httpPort = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = info.Environment;
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ConnectionStrings__AzureStorage"] = settings.ConnectionString;
        env["Urls"] = $"http://127.0.0.1:{httpPort}";
        env["Engagement__Silo__SiloPort"] = settings.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Engagement__Silo__GatewayPort"] = settings.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Engagement__Silo__ServiceId"] = settings.ServiceId;
        env["Engagement__Silo__ClusterId"] = settings.ClusterId;
        env["Engagement__Api__Keys__" + AdminKey] = "admin";
        env["Engagement__Api__Keys__" + SupportKey] = "support";
        env["Engagement__Api__Keys__" + MarketingKey] = "marketing";
        env["Engagement__Ingestion__QueueNamePrefix"] = settings.QueuePrefix;
        env["Engagement__Ingestion__QueueCount"] = settings.QueueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clockStart = settings.Clock.GetUtcNow();
        env["Engagement__Testing__ClockStart"] = clockStart.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable(CpuSparingSwitch) != "0")
        {
            foreach (var (key, value) in CpuSparing)
            {
                env[key] = value;
            }
        }

        foreach (var (key, value) in settings.Extra)
        {
            env[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process, new Uri($"http://127.0.0.1:{httpPort}/"), settings) { ClockStart = clockStart, LaunchedTimestamp = Stopwatch.GetTimestamp() };
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await silo.WaitReadyAsync(readyWithin ?? TimeSpan.FromMinutes(3));
        }
        catch
        {
            // A silo that never became ready must not outlive the test, reading its queues and loading the machine.
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    public HttpClient CreateClient(string apiKey = AdminKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks run, as when a machine dies.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait: the graceful stop an operator does.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Poll.PauseAsync();
        }

        throw new TimeoutException($"the silo was not ready within {within}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public static int FreePort() => Engagement.Testing.TestPorts.Next();

    /// <summary>The built silo program (silo/Engagement.Silo), of this test build's configuration.</summary>
    public static string LocateSiloDll() => BuiltProgram.Locate(Path.Combine("silo", "Engagement.Silo"), "Engagement.Silo");
}

/// <summary>
/// How one silo process is configured; the same settings start it again over the same storage, with the engine clock
/// going on from where <see cref="Clock"/> is.
/// </summary>
public sealed record SiloSettings(string ConnectionString, string ServiceId, string QueuePrefix)
{
    /// <summary>The engine clock the silo runs on (pinned start, real speed); a test dates its events by it.</summary>
    public TestClock Clock { get; init; } = new(TestClock.DefaultStart);

    public int SiloPort { get; init; } = SiloProcess.FreePort();

    public int GatewayPort { get; init; } = SiloProcess.FreePort();

    public int QueueCount { get; init; } = 4;

    /// <summary>The Orleans cluster id the silo runs with (<c>Engagement:Silo:ClusterId</c>); a client joins it by this id.</summary>
    public string ClusterId => ServiceId + "-cluster";

    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    public static SiloSettings ForTest(string name) =>
        new(Azurite.ConnectionString, $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 13, 40)], ("e2e" + Guid.NewGuid().ToString("N")[..10]).ToLowerInvariant());
}
