using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The tests' Azurite behind TCP proxies (blob, queue, table) that can be frozen: while frozen they accept connections
/// and read requests but pass nothing on in either direction, as a storage account that stopped answering (an
/// operator's <c>kill -STOP</c> of Azurite, a network partition) looks to its clients. Thawed, what was held flows on.
/// </summary>
public sealed partial class FreezableStorage : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _open = NewOpenGate(open: true);

    public FreezableStorage(string connectionString)
    {
        ConnectionString = Endpoint().Replace(connectionString, match =>
        {
            var target = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            _listeners.Add(listener);
            _loops.Add(Task.Run(() => AcceptAsync(listener, target)));
            return $"{match.Groups[1].Value}Endpoint=http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        });
        Assert.Equal(3, _listeners.Count);
    }

    /// <summary>The tests' connection string with every endpoint on these proxies.</summary>
    public string ConnectionString { get; }

    /// <summary>From now on nothing passes until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        if (_open.Task.IsCompleted)
        {
            Volatile.Write(ref _open, NewOpenGate(open: false));
        }
    }

    /// <summary>Lets everything held, and everything after it, pass again.</summary>
    public void Thaw() => Volatile.Read(ref _open).TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Thaw();
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }

        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static TaskCompletionSource NewOpenGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }

    private async Task AcceptAsync(TcpListener listener, int target)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ConnectAsync(client, target));
        }
    }

    private async Task ConnectAsync(TcpClient client, int target)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), upstream.GetStream(), either.Token);
                var down = PumpAsync(upstream.GetStream(), client.GetStream(), either.Token);
                await Task.WhenAny(up, down);
                await either.CancelAsync();
                await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // A connection closed by either side, or the proxy stopping.
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            // Frozen: hold what was read until thawed, as a stopped process holds what its socket received.
            await Volatile.Read(ref _open).Task.WaitAsync(cancellationToken);
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    [GeneratedRegex(@"(Blob|Queue|Table)Endpoint=http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex Endpoint();
}
