using System.Diagnostics;
using System.Text;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One of the repository's programs run to its end as a separate process (<c>dotnet X.dll args…</c>), configured by
/// environment only, with everything it writes kept for the test's messages.
/// </summary>
public static class DotnetCommand
{
    /// <summary>
    /// Runs <paramref name="dll"/> and returns its exit code and output. <paramref name="guard"/> is a hang guard, not a
    /// timing assertion: past it the process is killed and the output ends with a line saying so.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan guard)
    {
        var info = new ProcessStartInfo("dotnet", [dll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(guard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append($"(killed: {Path.GetFileName(dll)} did not finish within {guard})");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }

    /// <summary>
    /// An operator command of the silo program (<c>Engagement.Silo backup</c>, <c>restore --backup NAME</c>) against
    /// the account of <paramref name="connectionString"/>, in the Production environment; at most 5 minutes.
    /// </summary>
    public static Task<(int ExitCode, string Output)> SiloAsync(string connectionString, params string[] arguments) =>
        RunAsync(
            SiloProcess.LocateSiloDll(),
            arguments,
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["ConnectionStrings__AzureStorage"] = connectionString },
            TimeSpan.FromMinutes(5));

    /// <summary>The built client sample <paramref name="sample"/> (client-samples/{sample}), of this test build's configuration.</summary>
    public static string LocateSampleDll(string sample) => BuiltProgram.Locate(Path.Combine("client-samples", sample), sample);
}
