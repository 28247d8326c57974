using System.Diagnostics;
using System.Text;

namespace Engagement.EndToEnd.Tests.Backup;

/// <summary>
/// An operator command of the silo program (<c>Engagement.Silo backup</c>, <c>restore --backup NAME</c>) run as its
/// own process against a storage account, configured by environment as an operator would.
/// </summary>
public static class SiloCommand
{
    /// <summary>Runs the command to its end (at most 5 minutes) and returns its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, params string[] arguments)
    {
        var dll = Infrastructure.SiloProcess.LocateSiloDll();
        var info = new ProcessStartInfo("dotnet", [dll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__AzureStorage"] = connectionString;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Engagement.Silo {string.Join(' ', arguments)} did not finish within 5 minutes:\n{output}");
        }

        // WaitForExitAsync returns once the output pipes are drained as well.
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
}
