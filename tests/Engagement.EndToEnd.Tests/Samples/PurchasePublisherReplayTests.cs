using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Samples;

/// <summary>
/// <c>PurchasePublisher replay</c> summarises a file by what its lines are: events by type, and the repeats and
/// malformed lines apart. It used to label each line by its <c>type</c> field alone, so generate's junk (a purchase
/// without its memberId or orderId, an unknown <c>"type": "sale"</c>) was counted as events: "purchase 435" where
/// generate made 422, beside "sale 1" and "checkout 1". The dry run prints the same summary without a queue service.
/// </summary>
public sealed class PurchasePublisherReplayTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2); // a hang guard, not a timing assertion

    [Fact]
    public async Task AReplayOfAGeneratedFileCountsTheEventsGenerateMadeByTypeAndItsJunkAndRepeatsApart()
    {
        var dll = DotnetCommand.LocateSampleDll("PurchasePublisher");
        var file = Path.Combine(Path.GetTempPath(), $"replay-{Guid.NewGuid():N}.jsonl");
        try
        {
            var (generated, generateOutput) = await DotnetCommand.RunAsync(dll,
                ["--members", "40", "--events", "600", "--seed", "7", "--malformed", "0.1", "--duplicates", "0.05", "--start", "2026-11-20", "--days", "3", "--out", file, "--dry-run"],
                new Dictionary<string, string>(), Guard);
            Assert.True(generated == 0, generateOutput);
            var (replayed, output) = await DotnetCommand.RunAsync(dll, ["replay", "--file", file, "--dry-run"], new Dictionary<string, string>(), Guard);

            Assert.True(replayed == 0, output);
            var validByType = After(generateOutput, "unique valid events ").Split(": ", 2)[1];
            Assert.Equal(validByType, After(output, "by type:   "));
            var malformed = After(generateOutput, "  malformed ").Split(':')[0];
            var duplicates = After(generateOutput, "  duplicates ").Split(' ')[0];
            Assert.StartsWith($"(duplicate) {duplicates}, (malformed) {malformed} ", After(output, "not events: "), StringComparison.Ordinal);
            Assert.True(int.Parse(malformed, System.Globalization.CultureInfo.InvariantCulture) >= 50, generateOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The rest of the first output line that starts with <paramref name="prefix"/> (leading spaces ignored).</summary>
    private static string After(string output, string prefix)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.TrimStart().StartsWith(prefix.TrimStart(), StringComparison.Ordinal));
        Assert.True(line is not null, $"no line starting with '{prefix}' in:\n{output}");
        return line.TrimStart()[prefix.TrimStart().Length..];
    }
}
