using System.Net;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Engagement.Azure.Tests.Infrastructure;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// <c>scripts/poison-queue.cs delete</c>, run as an operator runs it (<c>dotnet run</c>, docs/publishing-events.md) against
/// the tests' Azurite, built once for the class (<see cref="PoisonQueueScriptBuild"/>) so each test's run starts at once,
/// through a pass-through proxy that refuses the first "make visible again" or delete (404 MessageNotFound, as when a
/// letter is deleted by someone else meanwhile) or drops the connection of every delete: every other letter is still shown again at once, the refused one is named, and the exit code says the run did not fully succeed.
/// </summary>
public sealed partial class PoisonQueueScriptTests(PoisonQueueScriptBuild build) : IClassFixture<PoisonQueueScriptBuild>
{
    /// <summary>One run of the built script (the build is the fixture's, under its own deadline).</summary>
    private static readonly TimeSpan ScriptDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task DeleteGoesOnPastAFailedUpdateShowsEveryOtherLetterAgainAndExitsNonZero()
    {
        await WithFourLettersAsync(async (queue, name, ids) =>
        {
            var run = await DeleteThroughProxyAsync(name, "PUT", abort: false, ids[0]);

            Assert.True(run.Refused is not null, $"no update went through the proxy; stdout: {run.Stdout} stderr: {run.Stderr}");

            // At once, not after the 5-minute visibility timeout: the two letters after the refused one are back.
            var visible = (await queue.PeekMessagesAsync(32)).Value.Select(m => m.MessageId).Order(StringComparer.Ordinal);
            Assert.Equal(ids.Skip(1).Where(id => id != run.Refused).Order(StringComparer.Ordinal), visible);
            Assert.Contains($"deleted {ids[0]}", run.Stdout, StringComparison.Ordinal);
            Assert.Contains($"not made visible again: {run.Refused} (404 MessageNotFound)", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(1, run.ExitCode);
        });
    }

    [Fact]
    public async Task ADeleteRefusedAsAlreadyGoneIsNamedOnceNotShownAgainAndTheOthersAreVisibleAtOnce()
    {
        await WithFourLettersAsync(async (queue, name, ids) =>
        {
            var run = await DeleteThroughProxyAsync(name, "DELETE", abort: false, ids[0]);

            Assert.Equal(ids[0], run.Refused);
            // 404 MessageNotFound means gone: the script does not try to show it again (the proxy lied, so Azurite still
            // holds it, hidden), and prints no "reappears within 5 minutes" for it.
            var visible = (await queue.PeekMessagesAsync(32)).Value.Select(m => m.MessageId).Order(StringComparer.Ordinal);
            Assert.Equal(ids.Skip(1).Order(StringComparer.Ordinal), visible);
            Assert.Contains($"delete failed: {ids[0]} (404 MessageNotFound); it is no longer on {name}", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("not made visible again", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("deleted ", run.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, run.ExitCode);
        });
    }

    [Fact]
    public async Task ADeleteWhoseEveryTryLosesItsConnectionIsNamedByWhatFailedAndTheLetterIsShownAgainAtOnce()
    {
        await WithFourLettersAsync(async (queue, name, ids) =>
        {
            // Every delete's connection dropped before it reaches Azurite: the SDK tries again, then gives up with an
            // AggregateException of its tries; the letter is still on the queue, so it is shown again with the others.
            var run = await DeleteThroughProxyAsync(name, "DELETE", abort: true, ids[0]);

            Assert.True(run.Aborted > 1, $"the SDK did not try the delete again ({run.Aborted} tries); stdout: {run.Stdout} stderr: {run.Stderr}");
            var visible = (await queue.PeekMessagesAsync(32)).Value.Select(m => m.MessageId).Order(StringComparer.Ordinal);
            Assert.Equal(ids.Order(StringComparer.Ordinal), visible);
            var line = Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("delete failed: ", StringComparison.Ordinal)).TrimEnd('\r');
            // Named by what the tries failed on (not the SDK's bare wrapper type) and how many there were.
            var match = Regex.Match(line, $@"^delete failed: {ids[0]} \((?<why>.+) after {run.Aborted} tries\); it stays on {name}$");
            Assert.True(match.Success, $"not the delete failure expected after {run.Aborted} tries: {line}");
            Assert.NotEqual("RequestFailedException", match.Groups["why"].Value);
            // A failure never names the account's host (only the first line, which says what the script reads, does).
            Assert.DoesNotContain("127.0.0.1", string.Join('\n', run.Stderr.Split('\n').Where(l => !l.StartsWith("reading ", StringComparison.Ordinal))), StringComparison.Ordinal);
            Assert.DoesNotContain("deleted ", run.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, run.ExitCode);
        });
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a queue of its own (its client and name) holding four letters (their ids, in the
    /// order sent), and deletes the queue after.
    /// </summary>
    private static async Task WithFourLettersAsync(Func<QueueClient, string, IReadOnlyList<string>, Task> test)
    {
        var name = Azurite.UniqueName("poisonscript");
        var queue = new QueueClient(Azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await queue.CreateAsync();
        try
        {
            var ids = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                ids.Add((await queue.SendMessageAsync($"{{\"letter\":{i}}}")).Value.MessageId);
            }

            await test(queue, name, ids);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    /// <summary>
    /// Runs <c>delete <paramref name="ids"/></c> on queue <paramref name="name"/> through a <see cref="RefusingProxy"/>
    /// that refuses the script's message requests with <paramref name="method"/> (see there).
    /// </summary>
    private async Task<ScriptRun> DeleteThroughProxyAsync(string name, string method, bool abort, params string[] ids)
    {
        await using var proxy = RefusingProxy.Start(Azurite.ConnectionString, method, abort);
        var (exitCode, stdout, stderr) = await RunScriptAsync(proxy.ConnectionString, name, ["delete", .. ids]);
        return new ScriptRun(exitCode, stdout, stderr, proxy.Refused, proxy.Aborted);
    }

    [Fact]
    public async Task TheSilosConnectionSettingComesBeforeAzuritesAndTheAccountReadIsNamed()
    {
        await WithFourLettersAsync(async (queue, name, ids) =>
        {
            // A second Azurite's variable (nothing listens there) beside the silo's own setting, as after pasting what
            // scripts/run prints in front of the command: the silo's account is read, and said so.
            var elsewhere = QueueEndpoint().Replace(Azurite.ConnectionString, $"QueueEndpoint=http://127.0.0.1:{Engagement.Testing.TestPorts.Next()}/");
            var (exitCode, stdout, stderr) = await RunScriptAsync(
                elsewhere, name, new Dictionary<string, string> { ["ConnectionStrings__AzureStorage"] = Azurite.ConnectionString }, "peek");

            Assert.Equal(0, exitCode);
            Assert.Equal(ids, Letters(stdout));
            var port = QueueEndpoint().Match(Azurite.ConnectionString).Groups[1].Value;
            Assert.Contains($"reading {name} on account {queue.AccountName} at http://127.0.0.1:{port}/{queue.AccountName}/{name} (connection from ConnectionStrings__AzureStorage)", stderr, StringComparison.Ordinal);
        });
    }

    /// <summary>The messageIds of the letter lines a peek printed (each line starts with one).</summary>
    private static List<string> Letters(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(id => Guid.TryParse(id, out _))];

    private Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(string connectionString, string queueName, params string[] arguments) =>
        RunScriptAsync(connectionString, queueName, new Dictionary<string, string>(), arguments);

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(
        string connectionString, string queueName, Dictionary<string, string> environment, params string[] arguments)
    {
        // What the operator's `dotnet run scripts/poison-queue.cs -- ...` runs, minus its up-to-date check: the fixture
        // built this same source once for the class.
        build.ThrowIfFailed();
        var info = PoisonQueueScriptBuild.Dotnet(["run", "--no-build", PoisonQueueScriptBuild.Script, "--", .. arguments]);
        info.Environment["AZURE_STORAGE_CONNECTION_STRING"] = connectionString;
        info.Environment.Remove("ConnectionStrings__AzureStorage");
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["ENGAGEMENT_POISON_QUEUE"] = queueName;
        return await PoisonQueueScriptBuild.RunAsync(info, ScriptDeadline);
    }

    /// <summary>What a script run left: its exit code and output, and what the proxy refused (see <see cref="RefusingProxy"/>).</summary>
    private sealed record ScriptRun(int ExitCode, string Stdout, string Stderr, string? Refused, int Aborted);

    [GeneratedRegex(@"QueueEndpoint=http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex QueueEndpoint();

    /// <summary>
    /// Forwards every queue request to Azurite unchanged (the shared-key signature covers the path, not the port),
    /// except message requests with a pop receipt and the given method (PUT: update, DELETE: delete): the first it
    /// answers 404 MessageNotFound itself, or, with <c>abort</c>, every one has its connection dropped.
    /// </summary>
    private sealed class RefusingProxy : IAsyncDisposable
    {
        private static readonly HashSet<string> Unforwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Connection", "Expect", "Transfer-Encoding", "Keep-Alive" };

        private readonly HttpListener _listener = new();
        private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        private readonly Uri _target;
        private readonly Task _loop;
        private readonly string _method;
        private readonly bool _abort;
        private string? _refused;
        private int _aborted;

        private RefusingProxy(string connectionString, string method, bool abort)
        {
            _method = method;
            _abort = abort;
            var match = QueueEndpoint().Match(connectionString);
            Assert.True(match.Success, "the tests' connection string names no QueueEndpoint on 127.0.0.1");
            _target = new Uri($"http://127.0.0.1:{match.Groups[1].Value}");
            var port = Engagement.Testing.TestPorts.Next();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            ConnectionString = QueueEndpoint().Replace(connectionString, $"QueueEndpoint=http://127.0.0.1:{port}/");
            _loop = Task.Run(LoopAsync);
        }

        /// <summary>The tests' connection string with the queue endpoint on this proxy.</summary>
        public string ConnectionString { get; }

        /// <summary>The id of the letter whose update was refused; null until then.</summary>
        public string? Refused => Volatile.Read(ref _refused);

        /// <summary>How many requests had their connection dropped (with <c>abort</c>).</summary>
        public int Aborted => Volatile.Read(ref _aborted);

        public static RefusingProxy Start(string connectionString, string method, bool abort) => new(connectionString, method, abort);

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
            _listener.Close();
            _http.Dispose();
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            var path = request.Url!.AbsolutePath;
            if (_abort && request.HttpMethod == _method && request.Url.Query.Contains("popreceipt=", StringComparison.OrdinalIgnoreCase))
            {
                // HttpListener's Abort alone answers an empty 200 here: the headers promise a body, one byte of it is
                // sent, then the connection is dropped, so the client sees the answer break off.
                Interlocked.Increment(ref _aborted);
                response.ContentLength64 = 1024;
                await response.OutputStream.WriteAsync(new byte[1]);
                await response.OutputStream.FlushAsync();
                response.Abort();
                return;
            }

            if (request.HttpMethod == _method && request.Url.Query.Contains("popreceipt=", StringComparison.OrdinalIgnoreCase)
                && Interlocked.CompareExchange(ref _refused, path[(path.LastIndexOf('/') + 1)..], null) is null)
            {
                response.StatusCode = 404;
                response.Headers["x-ms-error-code"] = "MessageNotFound";
                response.Close();
                return;
            }

            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.RawUrl));
            if (body.Length > 0 || request.HttpMethod is "PUT" or "POST")
            {
                forward.Content = new ByteArrayContent(body.ToArray());
            }

            foreach (var key in request.Headers.AllKeys.OfType<string>().Where(k => !Unforwarded.Contains(k)))
            {
                var values = request.Headers.GetValues(key) ?? [];
                if (!forward.Headers.TryAddWithoutValidation(key, values))
                {
                    forward.Content?.Headers.TryAddWithoutValidation(key, values);
                }
            }

            using var answer = await _http.SendAsync(forward);
            var bytes = await answer.Content.ReadAsByteArrayAsync();
            response.StatusCode = (int)answer.StatusCode;
            foreach (var header in answer.Headers.Concat(answer.Content.Headers).Where(h => !Unforwarded.Contains(h.Key)))
            {
                try
                {
                    response.Headers[header.Key] = string.Join(",", header.Value);
                }
                catch (ArgumentException)
                {
                    // A header HttpListener sets itself.
                }
            }

            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
            response.Close();
        }
    }
}
