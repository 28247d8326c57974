using System.Net;
using System.Net.Sockets;

namespace Engagement.Testing;

/// <summary>
/// TCP ports for the silos, gateways, web hosts and Azurites a test starts. Asking the kernel for port 0 and
/// releasing it (the usual trick) hands out a port from the ephemeral range (32768–60999 here), which any outgoing
/// connection — the test's own to Azurite among them — may take before the silo binds it: a full run failed once
/// with "Address already in use" on a gateway port. These come from below that range (20000–32767), are never handed
/// out twice by one process (so a port a killed silo leaves in TIME_WAIT is not reused), and are checked free.
/// scripts/test runs test projects side by side (one per lane) and gives each lane its own slice of that range in
/// <c>ENGAGEMENT_TEST_PORTS</c> ("FIRST-LAST"), so test hosts in different lanes never pick the same port; without it
/// the whole range is used.
/// </summary>
internal static class TestPorts
{
    /// <summary>The environment variable with this process's range, "FIRST-LAST" (inclusive), set by scripts/test.</summary>
    public const string RangeVariable = "ENGAGEMENT_TEST_PORTS";

    private const int DefaultFirst = 20_000;
    private const int DefaultLast = 32_767; // where the kernel's ephemeral range starts, less one

    private static readonly (int First, int Count) Range = ReadRange(Environment.GetEnvironmentVariable(RangeVariable));
    private static int _next = Environment.ProcessId * 193 % Range.Count;

    /// <summary>A loopback port nothing listens on, not handed out before by this process.</summary>
    /// <exception cref="InvalidOperationException">When no port of the range could be bound.</exception>
    public static int Next()
    {
        var (first, count) = Range;
        for (var attempt = 0; attempt < count; attempt++)
        {
            var port = first + (int)((uint)Interlocked.Increment(ref _next) % count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use (or in TIME_WAIT): try the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port in {first}–{first + count - 1}");
    }

    /// <summary>The range "FIRST-LAST" names, or 20000–32767 when it is unset.</summary>
    /// <exception cref="InvalidOperationException">When the value is not two ports FIRST ≤ LAST in 1024–65535.</exception>
    private static (int First, int Count) ReadRange(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (DefaultFirst, DefaultLast - DefaultFirst + 1);
        }

        var parts = value.Split('-');
        if (parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last)
            && first >= 1024 && first <= last && last <= 65_535)
        {
            return (first, last - first + 1);
        }

        throw new InvalidOperationException($"{RangeVariable} is '{value}'; expected FIRST-LAST, two ports in 1024–65535 (e.g. 20000-26383)");
    }
}
