using System.Globalization;
using Engagement.Domain.Program;

namespace Engagement.Domain.Members;

/// <summary>Profile fields from <c>profile_update</c> properties (CONTRACT.md §1).</summary>
public static class ProfilePolicy
{
    public const string ConsentPrefix = "consent.";

    /// <summary>Applies what is valid; returns a note for each property it ignored, so bad input never blocks good input.</summary>
    public static IReadOnlyList<string> Apply(MemberState state, IReadOnlyDictionary<string, string> properties, ProgramOptions options)
    {
        var notes = new List<string>();
        foreach (var (key, raw) in properties)
        {
            var value = raw?.Trim() ?? "";
            switch (key)
            {
                case "birthday":
                    if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthday))
                    {
                        state.Birthday = birthday;
                    }
                    else
                    {
                        notes.Add($"birthday '{value}' is not YYYY-MM-DD; ignored");
                    }

                    break;
                case "timeZone":
                    if (MemberTimeZones.TryFind(value) is not null)
                    {
                        state.TimeZone = value;
                    }
                    else
                    {
                        notes.Add($"timeZone '{value}' is not a known IANA zone; ignored");
                    }

                    break;
                case "phone":
                    state.Phone = value.Length == 0 ? null : value;
                    break;
                case "tags":
                    AddTags(state, value, options.MaxTags, notes);
                    break;
                default:
                    if (key.StartsWith(ConsentPrefix, StringComparison.Ordinal) && key.Length > ConsentPrefix.Length)
                    {
                        var channel = key[ConsentPrefix.Length..];
                        if (bool.TryParse(value, out var allowed))
                        {
                            state.Consent[channel] = allowed;
                        }
                        else
                        {
                            notes.Add($"{key} '{value}' is not true/false; ignored");
                        }
                    }

                    break;
            }
        }

        return notes;
    }

    private static void AddTags(MemberState state, string value, int maxTags, List<string> notes)
    {
        foreach (var tag in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (state.Tags.Contains(tag, StringComparer.Ordinal))
            {
                continue;
            }

            if (state.Tags.Count >= maxTags)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"tag '{tag}' not added: at most {maxTags} tags"));
                continue;
            }

            state.Tags.Add(tag);
        }
    }
}
