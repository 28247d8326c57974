using System.Globalization;
using System.Text.Json.Nodes;
using ClientSamples;

namespace CampaignTrigger;

/// <summary>Command-line options; a definition comes from <c>--file</c> or is built from flags.</summary>
internal sealed class Options
{
    public const string Usage = """
        CampaignTrigger: define a campaign, trigger it, follow its progress, print its results (HTTP only).

          --api URL               API base address (default http://127.0.0.1:5080)
          --key KEY               X-Api-Key with the marketing or admin role (default dev-marketing-key)
          --file PATH             the campaign definition as JSON (the body of POST /api/v1/campaigns)
        or build it from flags:
          --id ID                 campaign id (default cmp-<timestamp>)
          --name TEXT             (default: the id)
          --kind broadcast|triggered          (default broadcast)
          --tiers V2,V3  --segments "Champions,At Risk"  --value-classes A,B
          --stages active,at_risk  --regions east,north  --tags vip        (empty = any)
          --channel sms|push|call|wechat      (default push)
          --offer-kind coupon|points|benefit  (default coupon)   --offer-code CODE (default WELCOME10)
          --unit-cost N (default 10)  --points N (points offers)
          --max-grants N  --max-cost N        budget (default none)
          --arms a:1,b:1          arm names and weights (default one arm "main")
          --control-share 0.1     --attribution-days 7   --days 7 (validity from now)
          --trigger-event purchase --trigger-category skincare --trigger-min-amount 200   (triggered)
          --no-follow             trigger and exit without waiting
          --timeout SECONDS       how long to follow (default 600)

        An option not listed here is refused (exit code 1), never ignored: a mistyped audience filter would leave
        the audience empty, and an empty audience is every member. So are an option given twice and definition
        flags beside --file (the file is the whole definition).

        Exit codes: 0 done, 1 bad command line, API or network error, 2 invalid definition (the fields are printed), 3 conflict.
        """;

    public Uri Api { get; private set; } = new("http://127.0.0.1:5080/");

    public string Key { get; private set; } = "dev-marketing-key";

    public string? File { get; private set; }

    public bool Follow { get; private set; } = true;

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);

    /// <summary>Every option of <see cref="Usage"/>, without the leading <c>--</c>; any other is refused.</summary>
    private static readonly string[] KnownOptions =
    [
        "api", "key", "file", "timeout", "no-follow", "help",
        "id", "name", "kind", "tiers", "segments", "value-classes", "stages", "regions", "tags", "channel",
        "offer-kind", "offer-code", "unit-cost", "points", "max-grants", "max-cost", "arms", "control-share",
        "attribution-days", "days", "trigger-event", "trigger-category", "trigger-min-amount",
    ];

    /// <summary>Definition flags that take a whole number (points, grants, days).</summary>
    private static readonly string[] WholeNumberOptions = ["points", "max-grants", "attribution-days"];

    /// <summary>Definition flags that take a decimal number (CNY amounts, shares, days of validity).</summary>
    private static readonly string[] NumberOptions = ["unit-cost", "max-cost", "control-share", "days", "trigger-min-amount"];

    /// <summary>
    /// Reads the command line. Throws <see cref="ArgumentException"/> with message <c>help</c> for <c>-h</c>/<c>--help</c>,
    /// and with the reason for an unknown option (named, with the closest known one), a stray argument, a missing value,
    /// a value its option cannot take (<c>--timeout x</c>, <c>--api 'not a url'</c>, <c>--max-grants 5k</c>,
    /// <c>--arms a:x</c>), naming the option (the range of a value that parses is the API's to check), an option given
    /// twice (the last one won silently), or definition flags beside <c>--file</c> (they were dropped silently).
    /// </summary>
    public static Options Parse(string[] args)
    {
        var o = new Options();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException("help");
            }

            if (name.StartsWith("--", StringComparison.Ordinal) && KnownOptions.Contains(name[2..], StringComparer.Ordinal) && !seen.Add(name))
            {
                throw new ArgumentException($"{name} is given twice; give it once (a list option takes commas: --tiers V2,V3)");
            }

            if (name == "--no-follow")
            {
                o.Follow = false;
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{name}' (options are --name value)");
            }

            if (!KnownOptions.Contains(name[2..], StringComparer.Ordinal))
            {
                throw new ArgumentException(OptionNames.Unknown(name[2..], KnownOptions));
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++i];
            switch (name)
            {
                case "--api":
                    o.Api = Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var api) && (api.Scheme == Uri.UriSchemeHttp || api.Scheme == Uri.UriSchemeHttps)
                        ? api
                        : throw new ArgumentException($"--api takes an http:// or https:// address, not '{value}'");
                    break;
                case "--key":
                    o.Key = value;
                    break;
                case "--file":
                    o.File = value;
                    break;
                case "--timeout":
                    o.Timeout = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds
                        ? TimeSpan.FromSeconds(seconds)
                        : throw new ArgumentException($"--timeout takes seconds, a number above 0, not '{value}'");
                    break;
                default:
                    CheckValue(name[2..], value);
                    o._flags[name[2..]] = value;
                    break;
            }
        }

        if (o.File is not null && o._flags.Count > 0)
        {
            throw new ArgumentException(
                $"--file is the whole definition; {string.Join(", ", o._flags.Keys.Select(k => "--" + k))} would be ignored " +
                "(an audience left empty in the file is every member): put them in the file, or build the definition from flags without --file");
        }

        return o;
    }

    /// <summary>Refuses a definition flag's value that <see cref="BuildDefinition"/> could not read, naming the flag.</summary>
    private static void CheckValue(string name, string value)
    {
        if (WholeNumberOptions.Contains(name, StringComparer.Ordinal) && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"--{name} takes a whole number, not '{value}'");
        }

        if (NumberOptions.Contains(name, StringComparer.Ordinal) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"--{name} takes a number, not '{value}'");
        }

        if (name == "arms")
        {
            foreach (var arm in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = arm.Split(':');
                if (parts.Length > 2 || (parts.Length == 2 && !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                {
                    throw new ArgumentException($"--arms takes name:weight pairs (a:1,b:1), not '{arm}'");
                }
            }
        }
    }

    /// <summary>The definition from the flags; validation is the API's (it names every bad field).</summary>
    public JsonObject BuildDefinition(DateTimeOffset now)
    {
        string Flag(string name, string fallback) => _flags.GetValueOrDefault(name, fallback);
        JsonArray List(string name) => [.. Flag(name, "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => (JsonNode)v)];
        decimal? Dec(string name) => _flags.TryGetValue(name, out var v) ? decimal.Parse(v, CultureInfo.InvariantCulture) : null;

        var id = Flag("id", "cmp-" + now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var kind = Flag("kind", "broadcast");
        var days = double.Parse(Flag("days", "7"), CultureInfo.InvariantCulture);
        var offer = new JsonObject
        {
            ["kind"] = Flag("offer-kind", "coupon"),
            ["code"] = Flag("offer-code", "WELCOME10"),
            ["unitCost"] = Dec("unit-cost") ?? 10m,
        };
        if (Dec("points") is { } points)
        {
            offer["points"] = (long)points;
        }

        var definition = new JsonObject
        {
            ["id"] = id,
            ["name"] = Flag("name", id),
            ["kind"] = kind,
            ["audience"] = new JsonObject
            {
                ["tiers"] = List("tiers"),
                ["segments"] = List("segments"),
                ["valueClasses"] = List("value-classes"),
                ["stages"] = List("stages"),
                ["regions"] = List("regions"),
                ["tags"] = List("tags"),
            },
            ["offer"] = offer,
            ["channel"] = Flag("channel", "push"),
            ["validFrom"] = now.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture),
            ["validUntil"] = now.AddDays(days).ToString("O", CultureInfo.InvariantCulture),
            ["budget"] = new JsonObject { ["maxGrants"] = Dec("max-grants") is { } g ? (long)g : null, ["maxCost"] = Dec("max-cost") },
        };

        if (_flags.TryGetValue("arms", out var arms))
        {
            definition["arms"] = new JsonArray([.. arms.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a =>
            {
                var parts = a.Split(':');
                return (JsonNode)new JsonObject { ["name"] = parts[0], ["weight"] = parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 1.0 };
            })]);
        }

        if (Dec("control-share") is { } share)
        {
            definition["controlShare"] = share;
        }

        if (Dec("attribution-days") is { } window)
        {
            definition["attributionWindowDays"] = (int)window;
        }

        if (kind == "triggered")
        {
            definition["trigger"] = new JsonObject
            {
                ["eventType"] = Flag("trigger-event", "purchase"),
                ["itemCategory"] = _flags.GetValueOrDefault("trigger-category"),
                ["minAmount"] = Dec("trigger-min-amount"),
            };
        }

        return definition;
    }
}
