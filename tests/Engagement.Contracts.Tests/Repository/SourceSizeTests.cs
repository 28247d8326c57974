namespace Engagement.Contracts.Tests.Repository;

/// <summary>
/// The sizes the developers' guide and issue 10 set for readable files: no file in <c>src/</c> over 400 lines,
/// <c>MemberGrain.cs</c> at most 300 and <c>CampaignGrain.cs</c> at most 350. Checked on the checkout the tests run
/// from, so a change that crosses a limit is red in CI rather than found in review.
/// </summary>
public sealed class SourceSizeTests
{
    private static readonly string Src = Path.Combine(RepositoryRoot(), "src");

    [Fact]
    public void NoSourceFileIsOver400Lines()
    {
        var files = SourceFiles().ToList();
        Assert.True(files.Count > 100, $"expected the engine's sources under {Src}, found {files.Count}");

        var over = files.Select(f => (File: Path.GetRelativePath(Src, f), Lines: File.ReadLines(f).Count())).Where(f => f.Lines > 400).ToList();

        Assert.True(over.Count == 0, "over 400 lines: " + string.Join(", ", over.Select(f => $"{f.File} ({f.Lines})")));
    }

    [Theory]
    [InlineData("Engagement.Grains/Members/MemberGrain.cs", 300)]
    [InlineData("Engagement.Grains/Campaigns/CampaignGrain.cs", 350)]
    public void TheGrainsStayThin(string file, int limit)
    {
        var lines = File.ReadLines(Path.Combine(Src, file)).Count();

        Assert.True(lines <= limit, $"{file} has {lines} lines; issue 10 allows {limit}");
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engagement.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Engagement.sln not found above " + AppContext.BaseDirectory);
    }
}
