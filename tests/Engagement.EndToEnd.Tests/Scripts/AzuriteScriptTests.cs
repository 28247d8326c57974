using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Scripts;

/// <summary>
/// <c>scripts/azurite run</c> and <c>start</c> on <c>.azurite/data</c>, the data directory of <c>scripts/run</c>: one
/// Azurite per data directory (two corrupt each other's files), so a second one there is refused, by whichever command;
/// <c>run</c> keeps Azurite until Ctrl+C, and says so when Azurite exits by itself. The real script runs in a scratch
/// copy of the repository layout (never the real .azurite/data) with the pinned Azurite replaced by a stub (node) that
/// only listens on the ports it is given.
/// </summary>
public sealed partial class AzuriteScriptTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // a hang guard, not a timing assertion

    private readonly string _root = Path.Combine(Path.GetTempPath(), "azurite-script-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<Script> _started = [];

    public AzuriteScriptTests()
    {
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var bin = Path.Combine(_root, "scripts", "azurite-pkg", "node_modules", ".bin");
        Directory.CreateDirectory(bin);
        File.Copy(Path.Combine(repo, "scripts", "azurite"), Path.Combine(_root, "scripts", "azurite"));
        // install() runs npm ci unless node_modules is newer than the lock file: it is, so the stub stays.
        var lockFile = Path.Combine(_root, "scripts", "azurite-pkg", "package-lock.json");
        var installed = Path.Combine(_root, "scripts", "azurite-pkg", "node_modules", ".package-lock.json");
        File.WriteAllText(lockFile, "{}");
        File.WriteAllText(installed, "{}");
        File.SetLastWriteTimeUtc(lockFile, DateTime.UtcNow.AddDays(-1));
        File.SetLastWriteTimeUtc(installed, DateTime.UtcNow);
        var stub = Path.Combine(bin, "azurite");
        File.WriteAllText(stub, """
            #!/usr/bin/env node
            const net = require('net');
            const a = process.argv;
            for (const f of ['--blobPort', '--queuePort', '--tablePort']) net.createServer(s => s.end()).listen(+a[a.indexOf(f) + 1], '127.0.0.1');
            console.log('stub azurite listening');
            """.Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
        if (!OperatingSystem.IsWindows()) // scripts/azurite is a bash script: these tests run where it does
        {
            File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [LockingScriptFact]
    public async Task RunServesUntilCtrlCAndASecondRunOnTheSameDataIsRefusedNamingIt()
    {
        var run = Start("run");
        await run.WaitForAsync("Ctrl+C stops it");
        var (blob, pid) = run.Listening();
        Assert.True(Answers(blob), run.Output);
        Assert.Contains("ConnectionStrings__AzureStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;", run.Output, StringComparison.Ordinal);

        var second = Start("run");
        var secondExit = await second.ExitAsync();

        Assert.True(secondExit == 1, second.Output);
        Assert.Contains(".azurite/data is in use by another Azurite", second.Output, StringComparison.Ordinal);
        Assert.Contains("`fuser .azurite/data/.run.lock` shows it", second.Output, StringComparison.Ordinal);
        Assert.True(Answers(blob), "the refused run left the first one's Azurite alone");

        run.Signal("INT"); // Ctrl+C
        var exit = await run.ExitAsync();

        Assert.True(exit == 130, run.Output);
        await Poll.UntilAsync(() => Task.FromResult(!Answers(blob) && !Alive(pid)), Guard, $"Azurite (pid {pid}) stopped and port {blob} closed");
    }

    [LockingScriptFact]
    public async Task StartWithoutDirIsRefusedWhileRunHoldsTheDataAndRunWhileSuchAStartHoldsIt()
    {
        // scripts/azurite start with no DIR used .azurite/data without the lock, so it ran beside a scripts/azurite run
        // (or a scripts/run): two Azurites on one data directory.
        var run = Start("run");
        await run.WaitForAsync("Ctrl+C stops it");

        var start = Start("start");
        var startExit = await start.ExitAsync();

        Assert.True(startExit == 1, start.Output);
        Assert.Contains(".azurite/data is in use by another Azurite", start.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("export AZURITE_PID", start.Output, StringComparison.Ordinal);

        run.Signal("TERM");
        Assert.Equal(143, await run.ExitAsync());

        // The other way round: a start without DIR holds the lock (its Azurite inherited it) until that Azurite stops.
        var held = Start("start");
        Assert.True(await held.ExitAsync() == 0, held.Output);

        var refused = Start("run");
        Assert.True(await refused.ExitAsync() == 1, refused.Output);
        Assert.Contains(".azurite/data is in use by another Azurite", refused.Output, StringComparison.Ordinal);

        // A DIR of its own is not refused.
        var own = Start("start", Path.Combine(_root, "own"));
        Assert.True(await own.ExitAsync() == 0, own.Output);
    }

    [Fact]
    public async Task RunEndsWithExit1AndSaysWhereToLookWhenAzuriteExitsByItself()
    {
        // It ended silently with exit 0, as if stopped on purpose.
        var run = Start("run");
        await run.WaitForAsync("Ctrl+C stops it");
        var (_, pid) = run.Listening();

        using (var azurite = Process.GetProcessById(pid))
        {
            azurite.Kill();
        }

        var exit = await run.ExitAsync();

        Assert.True(exit == 1, run.Output);
        Assert.Contains($"Azurite (pid {pid}) exited; see .azurite/data/azurite.out", run.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var script in _started)
        {
            script.Dispose();
            // A start leaves its Azurite running (stopped by scripts/azurite stop PID): stop each one a test started.
            if (AzuritePid().Match(script.Output) is { Success: true } started && Alive(int.Parse(started.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                using var azurite = Process.GetProcessById(int.Parse(started.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                azurite.Kill();
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a scratch directory left in /tmp is harmless
        }
    }

    [GeneratedRegex(@"export AZURITE_PID=(\d+)")]
    private static partial Regex AzuritePid();

    [GeneratedRegex(@"listening on 127\.0\.0\.1 \(blob (\d+),.*pid (\d+)")]
    private static partial Regex ListeningLine();

    private static bool Answers(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private Script Start(params string[] arguments)
    {
        // SIGINT back to its default first: a test host started in the background (`cmd &` in a non-interactive shell, as
        // CI may) ignores SIGINT, and a non-interactive bash cannot trap a signal ignored when it started (coreutils env).
        var info = new ProcessStartInfo("env", ["--default-signal=INT", "bash", Path.Combine(_root, "scripts", "azurite"), .. arguments])
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "AZURITE_BLOB_PORT", "AZURITE_QUEUE_PORT", "AZURITE_TABLE_PORT" })
        {
            info.Environment.Remove(name);
        }

        var script = new Script(Process.Start(info)!);
        _started.Add(script);
        return script;
    }

    /// <summary>A running scripts/azurite, its stdout and stderr gathered as they come.</summary>
    private sealed class Script : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public Script(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

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

        public Task WaitForAsync(string line) =>
            Poll.UntilAsync(() => Task.FromResult(Output.Contains(line, StringComparison.Ordinal)), Guard, $"scripts/azurite printed \"{line}\"", () => Task.FromResult(Output));

        public (int BlobPort, int AzuritePid) Listening()
        {
            var match = ListeningLine().Match(Output);
            Assert.True(match.Success, Output);
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            return (int.Parse(match.Groups[1].Value, ci), int.Parse(match.Groups[2].Value, ci));
        }

        public void Signal(string name)
        {
            using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<int> ExitAsync()
        {
            using var timeout = new CancellationTokenSource(Guard);
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Signal("TERM"); // its EXIT trap stops the stub Azurite
                _process.WaitForExit(Guard);
            }

            _process.Dispose();
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
    }
}
