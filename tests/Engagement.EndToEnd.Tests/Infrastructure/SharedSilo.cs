namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One silo process on the lane's Azurite, started once for the tests of <see cref="SharedSiloCollection"/> and stopped
/// after the last of them: each silo start costs a process seconds of CPU (JIT, Orleans and ASP.NET Core start-up) on a
/// machine whose cores are busy through the whole run, and these tests neither restart, kill nor reconfigure their silo.
/// It runs as an operator starts it in production: the defaults (the Orleans Dashboard too), no coupon secret (what
/// <see cref="Hosting.SiloStartWarningsTests"/> asserts of its start log), the engine clock pinned
/// (<see cref="SiloSettings.Clock"/>). Each test uses members and event ids of its own, so the tests do not see each
/// other's state; xUnit runs a collection's tests one after another.
/// </summary>
public sealed class SharedSilo : IAsyncLifetime
{
    private EventQueues? _queues;
    private SiloProcess? _silo;

    /// <summary>The shared silo's settings (a fresh service id and queue prefix for the run).</summary>
    public SiloSettings Settings { get; } = SiloSettings.ForTest("shared") with
    {
        // The production composition, dashboard included (SiloProcess.CpuSparing turns it off for the other test silos).
        Extra = new Dictionary<string, string> { ["Engagement__Operations__Dashboard"] = "true" },
    };

    /// <summary>The started silo; ready (<c>/health/ready</c> answered 200) before the first test runs.</summary>
    /// <exception cref="InvalidOperationException">Read before the fixture started it.</exception>
    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("the shared silo has not been started");

    /// <summary>Starts the silo (at most 3 minutes to become ready, as every test silo).</summary>
    public async Task InitializeAsync()
    {
        _queues = new EventQueues(Settings);
        _silo = await SiloProcess.StartAsync(Settings);
    }

    /// <summary>Stops the silo, then deletes its event and poison queues on the shared Azurite.</summary>
    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_queues is not null)
        {
            await _queues.DisposeAsync();
        }
    }
}

/// <summary>The tests that share one <see cref="SharedSilo"/>; they run one after another, beside the other classes.</summary>
[CollectionDefinition(Name)]
[ExpectedSeconds(40)]
public sealed class SharedSiloCollection : ICollectionFixture<SharedSilo>
{
    /// <summary>The collection's name, for <see cref="CollectionAttribute"/>.</summary>
    public const string Name = "SharedSilo";
}
