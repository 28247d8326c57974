using System.Net;
using System.Net.Sockets;

namespace Engagement.Testing;

/// <summary>
/// TCP ports for the silos, gateways, web hosts and Azurites a test starts. Asking the kernel for port 0 and
/// releasing it (the usual trick) hands out a port from the ephemeral range (32768–60999 here), which any outgoing
/// connection — the test's own to Azurite among them — may take before the silo binds it: a full run failed once
/// with "Address already in use" on a gateway port. These come from below that range (20000–32767), are never handed
/// out twice by one process (so a port a killed silo leaves in TIME_WAIT is not reused), and are checked free.
/// </summary>
internal static class TestPorts
{
    private const int First = 20_000;
    private const int Count = 12_768; // up to 32767, where the kernel's ephemeral range starts
    private static int _next = Environment.ProcessId * 193 % Count;

    /// <summary>A loopback port nothing listens on, not handed out before by this process.</summary>
    /// <exception cref="InvalidOperationException">When no port of the range could be bound.</exception>
    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
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

        throw new InvalidOperationException($"no free loopback port in {First}–{First + Count - 1}");
    }
}
