using System.Diagnostics;
using System.Text;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Scripts;

/// <summary>
/// <c>scripts/run</c> on kept data (<c>.azurite/data</c>) published the demo load again from a new start: the orders came
/// back under other ids (their date is in the id, <c>O-S018-20261126-r42-001732</c> then <c>O-S018-20261129-…</c>) and
/// were applied twice (points issued 368,201 where docs/programme-health.md says 359,701). The script now records the load in the data
/// directory and publishes it once. These tests run the real script in a scratch copy of the repository layout, with
/// <c>dotnet</c>, <c>curl</c>, <c>sleep</c> and <c>scripts/azurite</c> replaced by stubs that record what they were asked
/// (no Azurite, no silo, no build): what is asserted is which PurchasePublisher command the script runs.
/// </summary>
[ExpectedSeconds(25)]
public sealed class RunScriptDemoLoadTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1); // a hang guard, not a timing assertion

    private readonly string _root = Path.Combine(Path.GetTempPath(), "run-demo-" + Guid.NewGuid().ToString("N")[..12]);

    public RunScriptDemoLoadTests()
    {
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "silo", "Engagement.Silo", "bin", "Release", "net10.0"));
        File.Copy(Path.Combine(repo, "scripts", "run"), Path.Combine(_root, "scripts", "run"));
        Stub("scripts/azurite", """
            case "$1" in
              start) echo "export AZURITE_PID=999999999"
                     echo "export AZURE_STORAGE_CONNECTION_STRING='UseDevelopmentStorage=true'"
                     echo "export AZURE_STORAGE_BACKUP_CONNECTION_STRING='UseDevelopmentStorage=true'" ;;
              free-port) echo $((20000 + RANDOM % 20000)) ;;
            esac
            """);
        Stub("bin/dotnet", """echo "dotnet $*" >>"$STUB_LOG" """);
        // The member lookup answers MEMBER_STATUS (404 unless a test says otherwise: no member yet); every other
        // status asked for (the redemptions) 200.
        Stub("bin/curl", """
            case " $* " in
              *"/members/M000001 "*) printf '%s' "${MEMBER_STATUS:-404}" ;;
              *" -w "*) printf 200 ;;
            esac
            """);
        Stub("bin/sleep", ":");
    }

    private string Log => Path.Combine(_root, "calls.log");

    private string DemoLoad => Path.Combine(_root, ".azurite", "data", "demo-load");

    [Fact]
    public async Task ARerunOnKeptDataDoesNotPublishTheDemoLoadAgainAndSaysHowToStartFresh()
    {
        var (first, firstOutput) = await RunAsync();
        Assert.True(first == 0, firstOutput);
        Assert.Single(Publishes());

        var (second, output) = await RunAsync();

        Assert.Contains("data stays in .azurite/data for the next run (which does not publish the demo again).", firstOutput, StringComparison.Ordinal);
        Assert.True(second == 0, output);
        var start = Assert.Single(Publishes()).Split("--start ")[1].Split(' ')[0];
        Assert.Contains("published=yes", await File.ReadAllTextAsync(DemoLoad), StringComparison.Ordinal);
        Assert.Contains(
            $"demo load not published again: .azurite/data already holds the one published from {start} (300 members, 3000 events); to start fresh",
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARerunAfterALoadCutShortPublishesTheRecordedLoadFromItsRecordedStart()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DemoLoad)!);
        var start = DateTimeOffset.UtcNow.AddDays(-14).ToString("yyyy-MM-dd'T'HH:mm:ss+00:00", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(DemoLoad, $"start={start}\nmembers=50\nevents=400\ndays=14\n");

        var (exitCode, output) = await RunAsync("--members", "80");

        Assert.True(exitCode == 0, output);
        var publish = Assert.Single(Publishes());
        Assert.Contains($"--members 50 --events 400 --days 14 --start {start} --seed 42", publish, StringComparison.Ordinal);
        Assert.Contains("(--members/--events/--days ignored; repeats change nothing)", output, StringComparison.Ordinal);
        Assert.Contains("published=yes", await File.ReadAllTextAsync(DemoLoad), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALoadCutShortThatEndedMoreThan25DaysAgoIsNotPublishedAgainSinceItsBehavioursWouldEarnTwice()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DemoLoad)!);
        var start = DateTimeOffset.UtcNow.AddDays(-40).ToString("yyyy-MM-dd'T'HH:mm:ss+00:00", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(DemoLoad, $"start={start}\nmembers=50\nevents=400\ndays=14\n");

        var (exitCode, output) = await RunAsync();

        Assert.True(exitCode == 0, output);
        Assert.Empty(Publishes());
        Assert.Contains("30-day repeat window", output, StringComparison.Ordinal);
        Assert.Contains("to start fresh, stop it (Ctrl+C), delete .azurite/data and run scripts/run again", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataKeptFromBeforeTheRecordThatHoldsTheDemoMembersIsNotPublishedAgain()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DemoLoad)!); // .azurite/data of an earlier run, no demo-load in it

        var (exitCode, output) = await RunAsync(environment: new() { ["MEMBER_STATUS"] = "200" });

        Assert.True(exitCode == 0, output);
        Assert.Empty(Publishes());
        Assert.Equal("start=unknown\npublished=yes\n", await File.ReadAllTextAsync(DemoLoad));
        Assert.Contains("demo load not published again: .azurite/data already holds member M000001", output, StringComparison.Ordinal);
        Assert.Contains("to start fresh, stop it (Ctrl+C), delete .azurite/data and run scripts/run again", output, StringComparison.Ordinal);

        var (again, againOutput) = await RunAsync(environment: new() { ["MEMBER_STATUS"] = "200" });

        Assert.True(again == 0, againOutput);
        Assert.Empty(Publishes());
        Assert.Contains("demo load not published again: .azurite/data already holds a demo load published before", againOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAStorageAccountOfItsOwnTheClosingHintDoesNotPromiseKeptDataInAzurite()
    {
        var (exitCode, output) = await RunAsync(environment: new() { ["ConnectionStrings__AzureStorage"] = "UseDevelopmentStorage=true" });

        Assert.True(exitCode == 0, output);
        Assert.Single(Publishes());
        Assert.DoesNotContain("does not publish the demo again", output, StringComparison.Ordinal);
        Assert.Contains("the data stays in the storage account of ConnectionStrings__AzureStorage", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGeneratorGivesTheSameMessagesFromTheSameStartSoARepublishedLoadIsOnlyRepeats()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        string[] load = ["--members", "30", "--events", "300", "--days", "14", "--start", "2026-10-21T07:32:49+00:00", "--seed", "42", "--member-prefix", "M", "--dry-run"];
        var first = Path.Combine(_root, "first.jsonl");
        var again = Path.Combine(_root, "again.jsonl");

        var (a, aOutput) = await DotnetCommand.RunAsync(dll, [.. load, "--out", first], new Dictionary<string, string>(), Guard);
        var (b, bOutput) = await DotnetCommand.RunAsync(dll, [.. load, "--out", again], new Dictionary<string, string>(), Guard);

        Assert.True(a == 0 && b == 0, aOutput + bOutput);
        Assert.Equal(await File.ReadAllLinesAsync(first), await File.ReadAllLinesAsync(again));

        // Both runs happen seconds apart, so equal files alone would not catch a dependence on the clock: the span is
        // the recorded one (start + days, not cut at now), shown in +08:00 as the generator writes occurredAt. The span
        // ends before any instant the suite runs at (real time, or scripts/test --at 2026-12-01T14:30:00Z): a span
        // reaching past now is cut at now (no event from the future), which differs between two runs seconds apart.
        Assert.Contains("occurredAt 2026-10-21T15:32:49+08:00 .. 2026-11-04T15:32:49+08:00", aOutput, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a scratch directory left in /tmp is harmless
        }
    }

    private List<string> Publishes() =>
        File.Exists(Log) ? File.ReadAllLines(Log).Where(l => l.Contains("PurchasePublisher.dll", StringComparison.Ordinal)).ToList() : [];

    private void Stub(string path, string body)
    {
        var file = Path.Combine(_root, path);
        File.WriteAllText(file, "#!/usr/bin/env bash\n" + body + "\n", new UTF8Encoding(false));
        if (!OperatingSystem.IsWindows()) // scripts/run is a bash script: these tests run where it does
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] options) => RunAsync(new Dictionary<string, string>(), options);

    private async Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment, params string[] options)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(_root, "scripts", "run"), "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), .. options])
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PATH"] = Path.Combine(_root, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment["STUB_LOG"] = Log;
        info.Environment["TMPDIR"] = _root; // the ports lock of these runs is their own
        info.Environment.Remove("ConnectionStrings__AzureStorage");
        info.Environment.Remove("ConnectionStrings__BackupStorage");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
