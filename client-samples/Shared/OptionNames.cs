namespace ClientSamples;

/// <summary>
/// The samples' one rule for an option they do not know: refuse it, naming it and the closest known option when one
/// is near (a typo), never drop it. A dropped <c>--tier V9</c> left CampaignTrigger's audience empty, and an empty
/// audience is every member: a mistyped filter became a broadcast. Compiled into each sample (a linked source file),
/// so the samples stay single-project tools without a shared library to reference (CampaignTrigger, PurchasePublisher,
/// SupportConsole).
/// </summary>
internal static class OptionNames
{
    /// <summary>
    /// The message for <c>--<paramref name="name"/></c>, which is not in <paramref name="known"/> (names without the
    /// leading <c>--</c>): <c>unknown option --tier (did you mean --tiers?)</c>. "Near" is an edit distance of at
    /// most 2, or a third of the name's length for longer names; without one near, the message names the option alone.
    /// </summary>
    public static string Unknown(string name, IEnumerable<string> known)
    {
        var limit = Math.Max(2, name.Length / 3);
        var closest = known
            .Select(k => (Name: k, Distance: Distance(name, k)))
            .Where(k => k.Distance <= limit)
            .OrderBy(k => k.Distance)
            .ThenBy(k => k.Name, StringComparer.Ordinal)
            .Select(k => k.Name)
            .FirstOrDefault();
        return closest is null ? $"unknown option --{name}" : $"unknown option --{name} (did you mean --{closest}?)";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions of one character each.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
