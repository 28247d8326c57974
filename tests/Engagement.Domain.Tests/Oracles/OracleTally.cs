using Xunit.Abstractions;

namespace Engagement.Domain.Tests.Oracles;

/// <summary>
/// What a late-event oracle (TierLateEventOracleTests, PointsLateEventOracleTests) found over its generated histories:
/// the seeds each known-limit class of docs/ledger.md excused, how many histories took each shape of difference, and the ones no
/// class explains. <see cref="Report"/> prints them and fails when any history is unexplained or a class excuses other
/// seeds than it has pinned (naming the seeds that moved in and out).
/// </summary>
internal sealed class OracleTally(IReadOnlyList<(string Name, int[] Seeds)> classes)
{
    private readonly Dictionary<string, SortedSet<int>> _excused = classes.ToDictionary(c => c.Name, _ => new SortedSet<int>(), StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _shapes = new(StringComparer.Ordinal);
    private readonly List<string> _unexplained = [];

    /// <summary>How many seeds the class has excused so far.</summary>
    public int ExcusedBy(string className) => _excused[className].Count;

    /// <summary>Counts one history under a shape of difference (class or "unexplained", and the fields that differ).</summary>
    public void Shape(string name) => _shapes[name] = _shapes.GetValueOrDefault(name) + 1;

    /// <summary>The class excuses the seed.</summary>
    public void Excuse(string className, int seed) => _excused[className].Add(seed);

    /// <summary>A history no class explains: one line naming its seed and differences, then its description.</summary>
    public void Unexplained(string text) => _unexplained.Add(text);

    /// <summary>Prints the tally and asserts every history explained and every class's seeds as pinned.</summary>
    public void Report(ITestOutputHelper output, int scenarios)
    {
        foreach (var (name, count) in _shapes)
        {
            output.WriteLine($"{count,4} {name}");
        }

        foreach (var (name, _) in classes)
        {
            output.WriteLine($"{_excused[name].Count,4} {name}: [{string.Join(", ", _excused[name])}]");
        }

        foreach (var line in _unexplained.Take(12))
        {
            output.WriteLine(line);
        }

        foreach (var line in _unexplained.Skip(12))
        {
            var end = line.IndexOf(Environment.NewLine, StringComparison.Ordinal);
            output.WriteLine(end < 0 ? line : line[..end]);
        }

        var moved = classes.Where(c => !_excused[c.Name].SetEquals(c.Seeds)).Select(c =>
            $"class '{c.Name}': pinned {c.Seeds.Length} seeds, now {_excused[c.Name].Count}; " +
            $"now in it: [{string.Join(", ", _excused[c.Name].Except(c.Seeds))}], no longer in it: [{string.Join(", ", c.Seeds.Except(_excused[c.Name]))}]").ToList();
        Assert.True(_unexplained.Count == 0 && moved.Count == 0,
            $"{_unexplained.Count} of {scenarios} scenarios diverge outside the known limits; first: {_unexplained.FirstOrDefault()}" +
            $"{Environment.NewLine}{moved.Count} classes excuse other seeds than pinned:{Environment.NewLine}{string.Join(Environment.NewLine, moved)}");
    }
}
